import type { Queues } from "./queues";

/** The timer of one attempt (`timeout-minutes`): a delayed job whose id is the attempt's, so it exists once. */
export async function scheduleJobTimeout(
  queues: Pick<Queues, "add">,
  job: { tenantId: string; jobId: string; attempt: number; startedAt: Date; timeoutMinutes: number },
  nowMs: number = Date.now(),
): Promise<void> {
  const due = job.startedAt.getTime() + job.timeoutMinutes * 60_000;
  await queues.add("job-timeout", { tenantId: job.tenantId, jobId: job.jobId, attempt: job.attempt }, `timeout-${job.jobId}-${job.attempt}`, {
    delay: Math.max(0, due - nowMs),
  });
}

/** The next check of a job held at its environment's gate; one timer per (job, due time), however often it is set. */
export async function scheduleGateTimer(
  queues: Pick<Queues, "add">,
  gate: { tenantId: string; runId: string; jobId: string; dueAt: Date },
  nowMs: number = Date.now(),
): Promise<void> {
  const dueMs = gate.dueAt.getTime();
  await queues.add("environment-gate", { tenantId: gate.tenantId, runId: gate.runId, jobId: gate.jobId }, `gate-${gate.jobId}-${dueMs}`, {
    delay: Math.max(0, dueMs - nowMs),
  });
}

/** An infrastructure retry's wait (JobRun.retryNotBefore): one timer per (job, failed attempt). */
export async function scheduleJobRetry(
  queues: Pick<Queues, "add">,
  retry: { tenantId: string; jobId: string; attempt: number; notBefore: Date },
  nowMs: number = Date.now(),
): Promise<void> {
  await queues.add("job-retry", { tenantId: retry.tenantId, jobId: retry.jobId, attempt: retry.attempt }, `retry-${retry.jobId}-${retry.attempt}`, {
    delay: Math.max(0, retry.notBefore.getTime() - nowMs),
  });
}
