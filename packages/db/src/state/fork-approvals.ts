// A fork's pull request run held for a maintainer's approval (the tenant's APPROVE_FIRST_TIME policy, docs/github.md
// "Pull requests from forks"). Intake creates it WAITING with the reason in `approvalRequired` and the history row
// `awaiting approval: <reason>` (intake/create-run.ts, in the run's own transaction, so no start can slip in
// between); nothing advances a WAITING run. Approving it is the one transition below: WAITING → QUEUED, once (keyed
// on `approvedAt` still being null), after which the run is started like any new run. Declining it (or its expiry)
// is cancelHeldRun, conditional the same way, so of an approval and a cancel racing each other exactly one happens.
import { Prisma } from "../generated/prisma/client";
import type { TenantContext } from "../tenant-scope";
import { conditionalTransition, type SqlRunner } from "./conditional-update";
import { cancelLiveJobs } from "./runs";
import type { RunStatus } from "./statuses";

/** The fields that say whether a run waits for approval. */
export interface ApprovalFacts {
  status: RunStatus;
  approvalRequired: string | null;
  approvedAt: Date | null;
}

/** Held and not yet decided: a maintainer may approve or cancel it. */
export function isAwaitingApproval(run: ApprovalFacts): boolean {
  return run.status === "WAITING" && run.approvalRequired !== null && run.approvedAt === null;
}

/** Held once and never approved (cancelled while waiting): it ran nothing, and re-running it would skip the approval. */
export function wasNeverApproved(run: Pick<ApprovalFacts, "approvalRequired" | "approvedAt">): boolean {
  return run.approvalRequired !== null && run.approvedAt === null;
}

/**
 * WAITING (held, not yet approved) → QUEUED, recording who approved. A second approval, one for a run that was
 * cancelled meanwhile, or for a run that never needed one matches no row and changes nothing (`changed: false`).
 * The caller then starts the run (an advance-run `start`), as intake does for a run it does not hold.
 */
const STILL_HELD = [Prisma.sql`t."approvalRequired" IS NOT NULL`, Prisma.sql`t."approvedAt" IS NULL`];

export function approveHeldRun(sql: SqlRunner, ctx: TenantContext, runId: string, approver: { userId: string; label: string }) {
  return conditionalTransition<RunStatus>(sql, ctx, {
    entity: "WorkflowRun",
    id: runId,
    from: ["WAITING"],
    to: "QUEUED",
    set: [Prisma.sql`"approvedAt" = now()`, Prisma.sql`"approvedById" = ${approver.userId}`],
    where: STILL_HELD,
    reason: `approved by ${approver.label}`,
  });
}

/**
 * WAITING (held, not yet approved) → CANCELED, then its jobs (QUEUED, never started): a maintainer declined it, or
 * nobody decided in time. Only while it is still held: an approved run is an ordinary run, cancelled as one.
 */
export async function cancelHeldRun(sql: SqlRunner, ctx: TenantContext, runId: string, reason: string): Promise<{ changed: boolean; canceledJobs: string[] }> {
  const run = await conditionalTransition<RunStatus>(sql, ctx, {
    entity: "WorkflowRun",
    id: runId,
    from: ["WAITING"],
    to: "CANCELED",
    set: [Prisma.sql`"finishedAt" = now()`],
    where: STILL_HELD,
    reason,
  });
  if (!run.changed) return { changed: false, canceledJobs: [] };
  return { changed: true, canceledJobs: await cancelLiveJobs(sql, ctx, runId, reason) };
}
