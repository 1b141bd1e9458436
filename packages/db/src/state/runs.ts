// Workflow-run transitions: one function each, each a conditional update (conditional-update.ts).
import { Prisma } from "../generated/prisma/client";
import type { TenantContext } from "../tenant-scope";
import { conditionalTransition, type SqlRunner } from "./conditional-update";
import type { RunStatus, TerminalRunStatus } from "./statuses";
import { cancelJob } from "./jobs";

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

/** Any live status → a terminal one; a terminal run changes again only by a re-run (reruns.ts). */
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

/**
 * Cancels every job of the run that has not ended, then the run itself: the Postgres half of cancelling a run
 * (the worker then frees its concurrency groups and reports it). Idempotent: a second call changes nothing.
 */
export async function cancelRunAndJobs(sql: SqlRunner, ctx: TenantContext, runId: string, reason: string): Promise<{ canceledJobs: string[]; runCanceled: boolean }> {
  const canceledJobs = await cancelLiveJobs(sql, ctx, runId, reason);
  const run = await finishRun(sql, ctx, runId, "CANCELED", reason);
  return { canceledJobs, runCanceled: run.changed };
}

/** Cancels every job of the run that has not ended, oldest first; returns the ones this call cancelled. */
export async function cancelLiveJobs(sql: SqlRunner, ctx: TenantContext, runId: string, reason: string): Promise<string[]> {
  const live = await sql.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "JobRun" WHERE "runId" = ${runId} AND "tenantId" = ${ctx.tenantId} AND "status" IN ('QUEUED', 'WAITING', 'RUNNING') ORDER BY "createdAt"`;
  const canceledJobs: string[] = [];
  for (const job of live) if ((await cancelJob(sql, ctx, job.id, reason)).changed) canceledJobs.push(job.id);
  return canceledJobs;
}
