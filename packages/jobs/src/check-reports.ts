// Asking for a job's GitHub check run to be brought up to date. The BullMQ job id names the job run, its status
// and its attempt (and run attempt, after a re-run), so a burst of requests for one state collapses into one job (and a repeat is a no-op while
// BullMQ remembers it), while each new state gets a report of its own.
import type { Queues } from "./queues";

export interface CheckReportRequest {
  id: string;
  status: string;
  attempt: number;
  /** The run attempt of the job's state (JobRun.runAttempt): a re-run's states are new states. 1 when absent. */
  runAttempt?: number;
}

export async function requestCheckReports(queues: Pick<Queues, "add">, tenantId: string, jobs: readonly CheckReportRequest[]): Promise<void> {
  for (const job of jobs) {
    await queues.add("report-check", { tenantId, jobRunId: job.id }, `check-${job.id}-${job.status}-${job.attempt}${(job.runAttempt ?? 1) > 1 ? `-r${job.runAttempt ?? 1}` : ""}`);
  }
}
