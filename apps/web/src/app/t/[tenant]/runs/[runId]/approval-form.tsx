"use client";
// One pending deployment: a comment and approve/reject, posted to the server action; its error (expired, already
// decided, not a reviewer) is shown in place. Without canApprove (the environment prevents self-review and the
// caller triggered the run) only Reject is offered.
import { useActionState } from "react";
import { decideApproval } from "./approval-actions";

export function ApprovalForm({ tenant, runId, approvalId, canApprove = true }: { tenant: string; runId: string; approvalId: string; canApprove?: boolean }) {
  const [error, action, pending] = useActionState(decideApproval, null);
  return (
    <form action={action} className="approval-form" data-testid={`approval-form-${approvalId}`}>
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="runId" value={runId} />
      <input type="hidden" name="approvalId" value={approvalId} />
      <input name="comment" placeholder="Comment (optional)" maxLength={2000} aria-label="Comment" />
      {canApprove ? (
        <button type="submit" name="decision" value="approve" disabled={pending}>
          Approve and deploy
        </button>
      ) : (
        <span className="muted small">You triggered this run: another reviewer must approve it.</span>
      )}
      <button type="submit" name="decision" value="reject" disabled={pending}>
        Reject
      </button>
      {error && <p className="error small" role="alert">{error}</p>}
    </form>
  );
}
