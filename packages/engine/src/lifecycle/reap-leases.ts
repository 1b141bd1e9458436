// The lease reaper (DESIGN.md invariant 5): attempts whose lease lapsed become LOST; their job goes back to
// WAITING while its retry budget lasts, avoiding the runner that lost it (claim-job.ts), else it fails as a
// platform failure. No backoff on top: a lease's length has passed since the last beat already. Safe to run on
// every worker at once: each step is a conditional transition, so a second reaper finds nothing left to do.
import { transitions, type Database, type TenantContext } from "@gantry/db";

export interface ReapResult {
  lost: number;
  requeued: number;
  failed: number;
  /** Jobs back in line (WAITING), by tenant: the caller enqueues them again. */
  requeuedJobs: { tenantId: string; jobId: string; runId: string }[];
  /** Jobs that failed for good: their runs must advance. */
  failedJobs: { tenantId: string; jobId: string; runId: string }[];
}

export async function reapLapsedLeases(db: Database, limit: number, nowMs: number = Date.now()): Promise<ReapResult> {
  const now = new Date(nowMs);
  const sys = db.system("lease reaper scans every tenant");
  const lapsed = await sys.jobAttempt.findMany({
    where: { status: { in: ["ASSIGNED", "RUNNING"] }, leaseExpiresAt: { lte: now } },
    select: { id: true, tenantId: true, jobRunId: true, number: true, runnerId: true, job: { select: { runId: true } } },
    orderBy: { leaseExpiresAt: "asc" },
    take: limit,
  });
  const result: ReapResult = { lost: 0, requeued: 0, failed: 0, requeuedJobs: [], failedJobs: [] };
  for (const attempt of lapsed) {
    const ctx: TenantContext = { tenantId: attempt.tenantId, actor: { kind: "SYSTEM", id: "lease-reaper" } };
    await sys.$transaction(async (tx) => {
      const lost = await transitions.markAttemptLost(tx, ctx, attempt.id, undefined, now);
      if (!lost.changed) return;
      result.lost++;
      const requeued = await transitions.requeueJob(tx, ctx, attempt.jobRunId, attempt.number, `attempt ${attempt.number} lost its lease`, attempt.runnerId ? { avoidRunnerId: attempt.runnerId } : {});
      const job = { tenantId: attempt.tenantId, jobId: attempt.jobRunId, runId: attempt.job.runId };
      if (requeued.changed) {
        result.requeued++;
        result.requeuedJobs.push(job);
        return;
      }
      const failed = await transitions.finishJob(tx, ctx, attempt.jobRunId, attempt.number, "FAILED", {
        kind: "INFRASTRUCTURE",
        reason: `attempt ${attempt.number} lost its lease and no attempts remain`,
      });
      if (failed.changed) {
        result.failed++;
        result.failedJobs.push(job);
      }
    });
  }
  return result;
}
