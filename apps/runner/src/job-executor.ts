import type { Assignment } from "@gantry/runner-protocol";

export interface JobOutcome {
  conclusion: "SUCCEEDED" | "FAILED" | "CANCELED";
  outputs: Record<string, string>;
  failureReason?: string;
}

/** Runs one assigned job to its end; must stop promptly when `signal` aborts (cancel, timeout, lost lease). */
export type JobExecutor = (assignment: Assignment, signal: AbortSignal) => Promise<JobOutcome>;
