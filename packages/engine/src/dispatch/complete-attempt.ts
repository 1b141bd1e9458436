// A runner reports that its attempt ended. Applied only while the attempt's lease is live and the job is still
// on that attempt: a duplicate, late or lost attempt's report changes nothing. The slot is released whenever the
// job has ended, so a lost report cannot leak capacity.
// Every ended attempt has a cause: a FAILED one is the user's (a step failed) unless the runner said the platform
// failed it (`infrastructure`), a CANCELED one is CANCELLED. An infrastructure failure sends the job back in line
// (retry-policy.ts) while its budget lasts; a user failure never retries.
import { attemptToComplete, isTerminalRunStatus, transitions, type Database, type FailureKind, type TenantContext } from "@gantry/db";
import type { FairScheduler } from "@gantry/scheduler";
import { infrastructureRetryDelayMs } from "./retry-policy";

export interface AttemptReport {
  tenantId: string;
  attemptId: string;
  conclusion: "SUCCEEDED" | "FAILED" | "CANCELED";
  /** Job outputs (`outputs:` evaluated by the runner). */
  outputs?: Record<string, string>;
  failureReason?: string;
  /** Whose failure a FAILED conclusion is (runner-protocol's completeRequest); absent: the user's. */
  failureCause?: "user" | "infrastructure";
}

export interface CompleteResult {
  applied: boolean;
  runId: string | null;
  /** The job went back in line after an infrastructure failure: it is enqueued again at `notBefore`. */
  retry?: { tenantId: string; jobId: string; attempt: number; notBefore: Date };
}

/** The cause and reason an ended attempt is recorded with; none for a success. */
export function causeOf(report: Pick<AttemptReport, "conclusion" | "failureReason" | "failureCause">): { kind: FailureKind; reason: string } | undefined {
  switch (report.conclusion) {
    case "SUCCEEDED":
      return undefined;
    case "CANCELED":
      return { kind: "CANCELLED", reason: report.failureReason ?? "cancelled" };
    case "FAILED":
      return report.failureCause === "infrastructure"
        ? { kind: "INFRASTRUCTURE", reason: report.failureReason ?? "the runner failed" }
        : { kind: "USER", reason: report.failureReason ?? "a step failed" };
  }
}

export async function completeAttempt(db: Database, scheduler: FairScheduler, report: AttemptReport, nowMs: number = Date.now()): Promise<CompleteResult> {
  const ctx: TenantContext = { tenantId: report.tenantId, actor: { kind: "RUNNER" } };
  const sys = db.system("runner completes an attempt");
  // One statement (every job's completion reads it): the attempt with its job.
  const attempt = await attemptToComplete(db.sql("runner completes an attempt: the attempt and its job"), report.tenantId, report.attemptId);
  if (!attempt) return { applied: false, runId: null };
  const failure = causeOf(report);
  let retry: CompleteResult["retry"];
  const applied = await sys.$transaction(async (tx) => {
    // Each attempt keeps its own outputs (an earlier run attempt's stay viewable); the job holds the latest.
    const ended = await transitions.finishAttempt(tx, ctx, report.attemptId, report.conclusion, failure, report.outputs);
    if (!ended.changed) return false;
    if (failure?.kind === "INFRASTRUCTURE") {
      const notBefore = new Date(nowMs + infrastructureRetryDelayMs(attempt.number));
      const requeued = await transitions.requeueJob(tx, ctx, attempt.jobRunId, attempt.number, `attempt ${attempt.number} failed on the runner's side: ${failure.reason}`, {
        notBefore,
        ...(attempt.runnerId ? { avoidRunnerId: attempt.runnerId } : {}),
      });
      if (requeued.changed) {
        retry = { tenantId: report.tenantId, jobId: attempt.jobRunId, attempt: attempt.number, notBefore };
        return true;
      }
      const spent = { kind: failure.kind, reason: `${failure.reason} (an infrastructure failure on each of its ${attempt.job.maxAttempts} attempts)` };
      return (await transitions.finishJob(tx, ctx, attempt.jobRunId, attempt.number, "FAILED", spent)).changed;
    }
    return (await transitions.finishJob(tx, ctx, attempt.jobRunId, attempt.number, report.conclusion, failure, report.outputs)).changed;
  });
  // Release only when this report ended the job (or sent it back in line), or the job has ended anyway; never the
  // slot of a newer attempt.
  const ended = async () => {
    const job = await db.forTenant(ctx).jobRun.findUnique({ where: { id: attempt.jobRunId }, select: { status: true } });
    return job !== null && isTerminalRunStatus(job.status);
  };
  if (attempt.job.poolId && (applied || (await ended()))) {
    await scheduler.release(attempt.job.poolId, report.tenantId, attempt.jobRunId);
  }
  return { applied, runId: attempt.job.runId, ...(retry ? { retry } : {}) };
}
