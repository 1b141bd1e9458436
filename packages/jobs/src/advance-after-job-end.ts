// A run advances (advance-run) after each of its jobs ends. Those requests are coalesced per run (Queues.add
// `coalesce`): each advance reads the whole run, so it covers every job end recorded before it started, and a burst
// of ends (a matrix's cells finishing together) makes a few advances instead of one per end — which made fan-out
// quadratic (256 advances × 256 job rows). A request made while an advance runs is kept and runs after it.
import type { Queues } from "./queues";

/** Asks for the run's advance after the job of `attemptId` ended (its jobId: a repeat of that report is a no-op). */
export async function requestAdvanceAfterJobEnd(queues: Pick<Queues, "add">, tenantId: string, runId: string, attemptId: string): Promise<void> {
  await queues.add("advance-run", { tenantId, runId }, `advance-${attemptId}`, { coalesce: `advance-run-${runId}` });
}
