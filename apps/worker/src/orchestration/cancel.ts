// Cancelling a run or one job. Postgres changes at once; a running attempt learns it from its next heartbeat
// (the heartbeat answer carries `cancel`), and its sandbox is stopped by the runner.
import { transitions, type Database, type TenantContext } from "@gantry/db";
import { advanceRun, releaseGroups } from "./advance-run";
import { requestRunCheckReports } from "./check-reports";

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
  onReady?: (jobIds: string[]) => Promise<void>,
): Promise<CancelResult> {
  const sys = db.system("cancel a run");
  const live = await db.forTenant(ctx).jobRun.findMany({
    where: { runId, status: { in: ["QUEUED", "WAITING", "RUNNING"] } },
    select: { id: true },
  });
  const canceledJobs: string[] = [];
  for (const job of live) if ((await transitions.cancelJob(sys, ctx, job.id, reason)).changed) canceledJobs.push(job.id);
  const run = await transitions.finishRun(sys, ctx, runId, "CANCELED", reason);
  await releaseGroups(db, ctx, runId, onReady);
  await requestRunCheckReports(db, ctx, runId);
  return { canceledJobs, runCanceled: run.changed };
}

/** Cancels one job; its dependents are then decided by their `if` (cancelled() sees it), and the run advances. */
export async function cancelJob(db: Database, ctx: TenantContext, jobId: string, reason: string): Promise<boolean> {
  const sys = db.system("cancel a job");
  const job = await db.forTenant(ctx).jobRun.findUnique({ where: { id: jobId }, select: { runId: true } });
  if (!job) return false;
  const { changed } = await transitions.cancelJob(sys, ctx, jobId, reason);
  if (changed) await advanceRun(db, ctx, job.runId);
  return changed;
}
