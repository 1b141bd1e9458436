// A runner reports that its attempt ended. Applied only while the attempt's lease is live and the job is still
// on that attempt: a duplicate, late or lost attempt's report changes nothing. The slot is released whenever the
// job has ended, so a lost report cannot leak capacity.
import { isTerminalRunStatus, transitions, type Database, type Prisma, type TenantContext } from "@gantry/db";
import type { FairScheduler } from "@gantry/scheduler";

export interface AttemptReport {
  tenantId: string;
  attemptId: string;
  conclusion: "SUCCEEDED" | "FAILED" | "CANCELED";
  /** Job outputs (`outputs:` evaluated by the runner). */
  outputs?: Record<string, string>;
  failureReason?: string;
}

export async function completeAttempt(
  db: Database,
  scheduler: FairScheduler,
  report: AttemptReport,
): Promise<{ applied: boolean; runId: string | null }> {
  const ctx: TenantContext = { tenantId: report.tenantId, actor: { kind: "RUNNER" } };
  const sys = db.system("runner completes an attempt");
  const attempt = await db.forTenant(ctx).jobAttempt.findUnique({
    where: { id: report.attemptId },
    select: { number: true, jobRunId: true, job: { select: { runId: true, poolId: true } } },
  });
  if (!attempt) return { applied: false, runId: null };
  const failure = report.conclusion === "FAILED" ? { kind: "USER" as const, reason: report.failureReason ?? "a step failed" } : undefined;
  const applied = await sys.$transaction(async (tx) => {
    const ended = await transitions.finishAttempt(tx, ctx, report.attemptId, report.conclusion, failure);
    if (!ended.changed) return false;
    // Each attempt keeps its own outputs (an earlier run attempt's stay viewable); the job holds the latest.
    if (report.outputs) await tx.jobAttempt.updateMany({ where: { id: report.attemptId, tenantId: ctx.tenantId }, data: { outputs: report.outputs satisfies Prisma.InputJsonObject } });
    const job = await transitions.finishJob(tx, ctx, attempt.jobRunId, attempt.number, report.conclusion, failure);
    if (job.changed && report.outputs) {
      await tx.jobRun.updateMany({ where: { id: attempt.jobRunId, tenantId: ctx.tenantId }, data: { outputs: report.outputs satisfies Prisma.InputJsonObject } });
    }
    return job.changed;
  });
  // Release only when this report ended the job, or the job has ended anyway; never the slot of a newer attempt.
  const job = await db.forTenant(ctx).jobRun.findUnique({ where: { id: attempt.jobRunId }, select: { status: true } });
  if (attempt.job.poolId && (applied || (job && isTerminalRunStatus(job.status)))) {
    await scheduler.release(attempt.job.poolId, report.tenantId, attempt.jobRunId);
  }
  return { applied, runId: attempt.job.runId };
}
