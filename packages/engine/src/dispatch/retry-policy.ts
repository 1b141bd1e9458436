// When an infrastructure failure's retry may be claimed: exponential backoff from the attempt that failed (2 s,
// 4 s, 8 s, … capped at a minute), so a runner host in trouble is not handed the job again at once and a
// platform-wide hiccup (the control plane restarting) has passed before the next try. The budget is the job's
// maxAttempts (JobRun), counted with every other attempt.
export const RETRY_BASE_MS = 2_000;
export const RETRY_MAX_MS = 60_000;

/** The wait before attempt `failedAttempt + 1`. */
export function infrastructureRetryDelayMs(failedAttempt: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, failedAttempt - 1));
}

// Replicas' clocks differ a little: a retry timer that fires this much before retryNotBefore still counts as due.
const CLOCK_TOLERANCE_MS = 1_000;

/** Whether a job back in line after an infrastructure failure is still waiting out its backoff. */
export function retryPending(retryNotBefore: Date | null, nowMs: number = Date.now()): boolean {
  return retryNotBefore !== null && retryNotBefore.getTime() > nowMs + CLOCK_TOLERANCE_MS;
}
