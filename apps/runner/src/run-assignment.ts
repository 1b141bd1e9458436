// One assignment, from claim to complete: heartbeats every heartbeatMs while the executor runs; a cancel answer
// or a lost lease aborts the executor; the outcome is reported (retried on transient errors) unless the lease
// was lost, when the attempt belongs to nobody any more. An InfrastructureError out of the executor is reported
// as the platform's failure (`failureCause: "infrastructure"`: the job is retried elsewhere); any other error as
// the job's.
import type { Assignment } from "@gantry/runner-protocol";
import { backoffMs } from "./backoff";
import { InfrastructureError } from "./infrastructure-error";
import { ProtocolError, type ProtocolClient } from "./protocol-client";

export interface JobOutcome {
  conclusion: "SUCCEEDED" | "FAILED" | "CANCELED";
  outputs: Record<string, string>;
  failureReason?: string;
  /** Whose failure a FAILED outcome is; absent: the job's (a step failed). */
  failureCause?: "user" | "infrastructure";
}

/**
 * Runs one assigned job to its end. `signal` aborts when the job must stop (cancelled, timed out, lease lost,
 * runner stopping): the running step is killed, and only `always()`/`cancelled()` steps may still run.
 * `kill` aborts when the attempt belongs to nobody any more (lease lost, runner stopping): nothing more may run.
 */
export type JobExecutor = (assignment: Assignment, signal: AbortSignal, kill: AbortSignal) => Promise<JobOutcome>;

export async function runAssignment(
  client: ProtocolClient,
  assignment: Assignment,
  execute: JobExecutor,
  log: (line: string) => void,
  shutdown?: AbortSignal,
): Promise<{ outcome: JobOutcome | null; leaseLost: boolean }> {
  const controller = new AbortController();
  const killer = new AbortController();
  const stop = (reason: string, kill: boolean) => {
    controller.abort(reason);
    if (kill) killer.abort(reason);
  };
  // The runner is stopping: abandon the job without a report; its lease lapses and the job is retried elsewhere.
  const onShutdown = () => stop("runner shutting down", true);
  shutdown?.addEventListener("abort", onShutdown, { once: true });
  let leaseLost = false;
  const beat = async () => {
    try {
      const answer = await client.heartbeat(assignment.jobToken, assignment.attemptId);
      if (answer.cancel && !controller.signal.aborted) {
        log(`runner: stopping ${assignment.job.key}: ${answer.reason ?? "cancelled"}`);
        stop(answer.reason ?? "cancelled", false);
      }
    } catch (error) {
      if (error instanceof ProtocolError && error.code === "lease_lost") {
        leaseLost = true;
        log(`runner: lease lost for ${assignment.job.key}; stopping without reporting`);
        stop("lease lost", true);
      }
      // Transient errors: the next beat tries again; the lease outlives a few missed beats.
    }
  };
  // The claim has just set the lease: the first beat comes after heartbeatMs, not before the job starts (it was a
  // round trip on the way to the first log line, and a request and three statements per job for the control plane).
  const timer = setInterval(() => void beat(), assignment.heartbeatMs);
  let outcome: JobOutcome;
  try {
    outcome = controller.signal.aborted && leaseLost ? { conclusion: "CANCELED", outputs: {} } : await execute(assignment, controller.signal, killer.signal);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    outcome =
      error instanceof InfrastructureError
        ? { conclusion: "FAILED", outputs: {}, failureReason: message.slice(0, 2000), failureCause: "infrastructure" }
        : { conclusion: "FAILED", outputs: {}, failureReason: `runner error: ${message}`.slice(0, 2000) };
  } finally {
    clearInterval(timer);
    shutdown?.removeEventListener("abort", onShutdown);
  }
  if (leaseLost || shutdown?.aborted) return { outcome: null, leaseLost };
  for (let attempt = 0; ; attempt++) {
    try {
      await client.complete(assignment.jobToken, { attemptId: assignment.attemptId, ...outcome });
      return { outcome, leaseLost };
    } catch (error) {
      if (!(error instanceof ProtocolError) || !error.retryable || attempt >= 8) {
        log(`runner: could not report ${assignment.job.key}: ${error instanceof Error ? error.message : String(error)}`);
        return { outcome, leaseLost };
      }
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
    }
  }
}
