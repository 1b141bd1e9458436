// Cancelling a run or one job. Postgres changes at once; a running attempt learns it from its next heartbeat
// (the heartbeat answer carries `cancel`), and its sandbox is stopped by the runner.
import { transitions, type Database, type TenantContext } from "@gantry/db";
import { advanceRun, releaseGroups, type AdvanceOptions } from "./advance-run";
import { cancelCalledJobs } from "./cancel-called-jobs";
import { requestRunCheckReports } from "./check-reports";
import { requestWorkflowRunEvents } from "./workflow-run-events";

export interface CancelResult {
  canceledJobs: string[];
  runCanceled: boolean;
}

/** Cancels every job that has not ended, then the run itself. Idempotent: a second call changes nothing. */
export async function cancelRun(
  db: Database,
  ctx: TenantContext,
  runId: string,
  reason: string,
  hooks: AdvanceOptions = {},
): Promise<CancelResult> {
  const { canceledJobs, runCanceled } = await transitions.cancelRunAndJobs(db.system("cancel a run"), ctx, runId, reason);
  await releaseGroups(db, ctx, runId, hooks);
  await requestRunCheckReports(db, ctx, runId, hooks.notify);
  await requestWorkflowRunEvents(db, ctx, runId, hooks.notify);
  return { canceledJobs, runCanceled };
}

/** Cancels one job; its dependents are then decided by their `if` (cancelled() sees it), and the run advances. */
export async function cancelJob(db: Database, ctx: TenantContext, jobId: string, reason: string, hooks: AdvanceOptions = {}): Promise<boolean> {
  const sys = db.system("cancel a job");
  const job = await db.forTenant(ctx).jobRun.findUnique({ where: { id: jobId }, select: { runId: true } });
  if (!job) return false;
  const { changed } = await transitions.cancelJob(sys, ctx, jobId, reason);
  if (changed) await cancelCalledJobs(db, ctx, jobId, reason);
  if (changed) await advanceRun(db, ctx, job.runId, hooks);
  return changed;
}
