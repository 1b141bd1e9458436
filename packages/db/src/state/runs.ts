// Workflow-run transitions: one function each, each a conditional update (conditional-update.ts).
import { Prisma } from "../generated/prisma/client";
import type { TenantContext } from "../tenant-scope";
import { conditionalTransition, type SqlRunner } from "./conditional-update";
import type { RunStatus, TerminalRunStatus } from "./statuses";

const now = Prisma.sql`now()`;

/** QUEUED → WAITING: the run is held (concurrency group, approval) before any job starts. */
export function markRunWaiting(sql: SqlRunner, ctx: TenantContext, runId: string, reason?: string) {
  return conditionalTransition<RunStatus>(sql, ctx, { entity: "WorkflowRun", id: runId, from: ["QUEUED"], to: "WAITING", reason });
}

/** QUEUED | WAITING → RUNNING: its first job was assigned. */
export function markRunRunning(sql: SqlRunner, ctx: TenantContext, runId: string, reason?: string) {
  return conditionalTransition<RunStatus>(sql, ctx, {
    entity: "WorkflowRun",
    id: runId,
    from: ["QUEUED", "WAITING"],
    to: "RUNNING",
    set: [Prisma.sql`"startedAt" = COALESCE(t."startedAt", ${now})`],
    reason,
  });
}

/** Any live status → a terminal one; a terminal run never changes again. */
export function finishRun(sql: SqlRunner, ctx: TenantContext, runId: string, conclusion: TerminalRunStatus, reason?: string) {
  return conditionalTransition<RunStatus>(sql, ctx, {
    entity: "WorkflowRun",
    id: runId,
    from: ["QUEUED", "WAITING", "RUNNING"],
    to: conclusion,
    set: [Prisma.sql`"finishedAt" = ${now}`],
    reason,
  });
}
