"use client";
// The header's status badge and actions, from the live run: Cancel while it runs; Re-run all jobs and Re-run failed
// jobs for roles that may re-run (runs.get's canRerun, the procedure's own role), enabled once the run has ended.
import { RunStatus } from "../../../../../components/run-status";
import { CancelButton } from "./cancel-button";
import { RerunButton } from "./rerun-button";
import { hasEnded, useLiveRun } from "./use-live-run";

export function LiveRunStatus({ awaitingApproval }: { awaitingApproval: boolean }) {
  const { run, connection } = useLiveRun();
  return (
    <span data-testid="live-run-status" data-connection={connection}>
      <RunStatus status={run.status} awaitingApproval={awaitingApproval && run.status === "WAITING"} />
    </span>
  );
}

export function RunActions({ tenant, canRerun, awaitingApproval }: { tenant: string; canRerun: boolean; awaitingApproval: boolean }) {
  const { run } = useLiveRun();
  const ended = hasEnded(run.status);
  const failed = run.jobs.some((job) => job.status === "FAILED" || job.status === "TIMED_OUT" || job.status === "CANCELED");
  return (
    <div className="run-actions" data-testid="run-actions">
      {/* A run held for approval is cancelled from its banner, by those who may decide. */}
      {!ended && !(awaitingApproval && run.status === "WAITING") && <CancelButton tenant={tenant} runId={run.id} />}
      {canRerun && (
        <>
          <RerunButton tenant={tenant} runId={run.id} mode="all" label="Re-run all jobs" disabled={!ended} />
          {failed && <RerunButton tenant={tenant} runId={run.id} mode="failed" label="Re-run failed jobs" disabled={!ended} />}
        </>
      )}
    </div>
  );
}
