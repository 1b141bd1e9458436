"use client";
// Approve and run, or cancel, a fork's run held for approval; the refusal (decided meanwhile, not a maintainer) is
// shown in place.
import { useActionState } from "react";
import { FormRefusal } from "../../../../../components/form-refusal";
import { decideForkRun } from "./fork-approval-actions";

export function ForkApprovalForm({ tenant, runId }: { tenant: string; runId: string }) {
  const [error, action, pending] = useActionState(decideForkRun, null);
  return (
    <form action={action} className="inline-form" data-testid="fork-approval-form">
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="runId" value={runId} />
      <button type="submit" name="decision" value="approve" disabled={pending}>
        Approve and run
      </button>
      <button type="submit" name="decision" value="reject" disabled={pending}>
        Cancel
      </button>
      <FormRefusal error={error} />
    </form>
  );
}
