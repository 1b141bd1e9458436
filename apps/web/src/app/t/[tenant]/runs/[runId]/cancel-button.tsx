"use client";
// Cancel a run (or one job, with jobKey); the refusal (already ended, not a developer) is shown in place.
import { useActionState } from "react";
import { cancelFromPage } from "./cancel-actions";

export function CancelButton({ tenant, runId, jobKey, label = "Cancel run" }: { tenant: string; runId: string; jobKey?: string; label?: string }) {
  const [error, action, pending] = useActionState(cancelFromPage, null);
  return (
    <form action={action} className="inline-form" data-testid={jobKey ? `cancel-job-${jobKey}` : "cancel-run"}>
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="runId" value={runId} />
      {jobKey && <input type="hidden" name="jobKey" value={jobKey} />}
      <button type="submit" disabled={pending}>
        {pending ? "Cancelling…" : label}
      </button>
      {error && <span className="error small" role="alert">{error}</span>}
    </form>
  );
}
