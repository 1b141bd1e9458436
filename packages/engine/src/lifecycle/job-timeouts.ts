// Job timeouts (`timeout-minutes`): a delayed BullMQ job per attempt, keyed by attempt so it is scheduled once.
// Timers live in Redis, so they are rebuilt from Postgres whenever a worker starts (DESIGN.md invariant 2).
import { transitions, type Database, type TenantContext } from "@gantry/db";
import { scheduleJobTimeout, type Queues } from "@gantry/jobs";
import type { FairScheduler } from "@gantry/scheduler";
import { advanceRun, type AdvanceOptions } from "../run/advance-run";

/** The timer fired: if that attempt is still running, the job and the attempt end TIMED_OUT and the run advances. */
export async function timeOutJob(
  db: Database,
  payload: { tenantId: string; jobId: string; attempt: number },
  scheduler?: FairScheduler,
  hooks: (ctx: TenantContext) => AdvanceOptions = () => ({}),
): Promise<boolean> {
  const ctx: TenantContext = { tenantId: payload.tenantId, actor: { kind: "SYSTEM", id: "job-timeout" } };
  const sys = db.system("job timeout");
  const reason = "the job exceeded its timeout-minutes";
  const timedOut = await sys.$transaction(async (tx) => {
    const job = await transitions.finishJob(tx, ctx, payload.jobId, payload.attempt, "TIMED_OUT", { kind: "TIMEOUT", reason });
    if (!job.changed) return false;
    const attempt = await tx.jobAttempt.findFirst({ where: { jobRunId: payload.jobId, number: payload.attempt }, select: { id: true } });
    if (attempt) await transitions.finishAttempt(tx, ctx, attempt.id, "TIMED_OUT", { kind: "TIMEOUT", reason });
    return true;
  });
  if (timedOut) {
    const job = await sys.jobRun.findUniqueOrThrow({ where: { id: payload.jobId }, select: { runId: true, poolId: true } });
    if (scheduler && job.poolId) await scheduler.release(job.poolId, payload.tenantId, payload.jobId);
    await advanceRun(db, ctx, job.runId, hooks(ctx));
  }
  return timedOut;
}

/** Re-creates the timer of every running job from Postgres; existing timers keep their id, so nothing doubles. */
export async function rebuildJobTimeouts(db: Database, queues: Pick<Queues, "add">, nowMs: number = Date.now()): Promise<number> {
  const running = await db.system("timer rebuild covers every tenant").jobRun.findMany({
    // attempt 0: a call of a reusable workflow, which has no timer of its own (its called jobs have theirs).
    where: { status: "RUNNING", attempt: { gt: 0 } },
    select: { id: true, tenantId: true, attempt: true, startedAt: true, createdAt: true, timeoutMinutes: true, attempts: { select: { number: true, createdAt: true } } },
  });
  for (const job of running) {
    const current = job.attempts.find((attempt) => attempt.number === job.attempt);
    const startedAt = current?.createdAt ?? job.startedAt ?? job.createdAt;
    await scheduleJobTimeout(queues, { tenantId: job.tenantId, jobId: job.id, attempt: job.attempt, startedAt, timeoutMinutes: job.timeoutMinutes }, nowMs);
  }
  return running.length;
}
