// GitHub's rules for what a job's dependents see and how a run ends, as pure functions.
import type { RunStatus } from "@gantry/db";

export interface JobOutcome {
  status: RunStatus;
  continueOnError: boolean;
}

export type NeedResult = "success" | "failure" | "cancelled" | "skipped";

/** One job's result as `needs.<id>.result` shows it; a failure allowed by continue-on-error reads as success. */
export function resultOf(job: JobOutcome): NeedResult | null {
  switch (job.status) {
    case "SUCCEEDED":
      return "success";
    case "FAILED":
    case "TIMED_OUT":
      return job.continueOnError ? "success" : "failure";
    case "CANCELED":
      return "cancelled";
    case "SKIPPED":
      return "skipped";
    default:
      return null;
  }
}

/** A matrix job's cells folded into one result: any failure, else any cancellation, else all skipped, else success. */
export function foldResults(results: NeedResult[]): NeedResult {
  if (results.includes("failure")) return "failure";
  if (results.includes("cancelled")) return "cancelled";
  if (results.length > 0 && results.every((result) => result === "skipped")) return "skipped";
  return "success";
}

/**
 * Jobs by workflow job id, as `needs.<id>` (a job's needs) and a call's `jobs.<id>` (the jobs it called) show them:
 * a matrix job's cells folded into one result, their outputs merged.
 */
export function resultsByJobId(jobs: readonly (JobOutcome & { jobId: string; outputs: unknown })[]): Record<string, { result: NeedResult; outputs: Record<string, unknown> }> {
  const grouped = new Map<string, (JobOutcome & { outputs: unknown })[]>();
  for (const job of jobs) grouped.set(job.jobId, [...(grouped.get(job.jobId) ?? []), job]);
  const context: Record<string, { result: NeedResult; outputs: Record<string, unknown> }> = {};
  for (const [jobId, cells] of grouped) {
    const outputs: Record<string, unknown> = Object.assign({}, ...cells.map((cell) => (cell.outputs && typeof cell.outputs === "object" ? cell.outputs : {})));
    context[jobId] = { result: foldResults(cells.map((cell) => resultOf(cell) ?? "skipped")), outputs };
  }
  return context;
}

/**
 * How a run ends once every job has: failure wins, then cancelled, else success (skipped jobs do not fail a run).
 * Failure first, as on GitHub: a matrix cell that failed and the siblings fail-fast cancelled make a failed run.
 * (A person cancelling the run ends it CANCELED directly, without this.)
 */
export function runConclusion(jobs: JobOutcome[]): "SUCCEEDED" | "FAILED" | "CANCELED" {
  const results = jobs.map(resultOf);
  if (results.includes("failure")) return "FAILED";
  if (results.includes("cancelled")) return "CANCELED";
  return "SUCCEEDED";
}
