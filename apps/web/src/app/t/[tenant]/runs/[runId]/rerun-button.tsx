"use client";
// Re-run an ended run (all jobs, the failed ones) or one job with its dependents; the refusal is shown in place.
import { useActionState } from "react";
import { rerunFromPage } from "./rerun-actions";

export function RerunButton({ tenant, runId, mode, jobKey, label, ariaLabel, disabled }: { tenant: string; runId: string; mode: "all" | "failed" | "job"; jobKey?: string; label: string; ariaLabel?: string; disabled: boolean }) {
  const [error, action, pending] = useActionState(rerunFromPage, null);
  return (
    <form action={action} className="inline-form" data-testid={jobKey ? `rerun-job-${jobKey}` : `rerun-${mode}`}>
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="runId" value={runId} />
      <input type="hidden" name="mode" value={mode} />
      {jobKey && <input type="hidden" name="jobKey" value={jobKey} />}
      <button type="submit" disabled={disabled || pending} aria-label={ariaLabel} title={disabled ? "The run has not ended yet" : undefined}>
        {pending ? "Re-running…" : label}
      </button>
      {error && <span className="error small" role="alert">{error}</span>}
    </form>
  );
}
