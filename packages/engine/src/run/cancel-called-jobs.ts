// A cancelled call takes the jobs of the workflow it called (and of the calls they make) with it: a person's
// cancel (cancel.ts) and fail-fast (matrix-controls.ts) both cancel this way.
import { ACTIVE_RUN_STATUSES, transitions, type Database, type TenantContext } from "@gantry/db";

export async function cancelCalledJobs(db: Database, ctx: TenantContext, callerId: string, reason: string): Promise<void> {
  const called = await db.forTenant(ctx).jobRun.findMany({ where: { callerId, status: { in: [...ACTIVE_RUN_STATUSES] } }, select: { id: true } });
  for (const job of called) {
    await transitions.cancelJob(db.system("cancel a called job"), ctx, job.id, `${reason} (its caller was cancelled)`);
    await cancelCalledJobs(db, ctx, job.id, reason);
  }
}
