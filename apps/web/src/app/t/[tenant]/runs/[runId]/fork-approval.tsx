// A fork's pull request run the tenant's policy held for a maintainer: why, and (for maintainers and admins) the
// buttons to approve and run it or cancel it; everyone else reads who may. Once decided: who approved it, or nothing
// (a declined run shows as cancelled, with the reason in its history).
import { ForkApprovalForm } from "./fork-approval-form";

export interface ForkApprovalState {
  required: string;
  awaiting: boolean;
  approvedBy: string | null;
  approvedAt: string | null;
  canDecide: boolean;
}

export function ForkApproval({ tenant, runId, approval }: { tenant: string; runId: string; approval: ForkApprovalState | null }) {
  if (!approval) return null;
  if (!approval.awaiting) {
    if (!approval.approvedBy) return null;
    return (
      <p className="muted small" data-testid="fork-approved">
        Approved by {approval.approvedBy}
        {approval.approvedAt ? ` on ${new Date(approval.approvedAt).toUTCString()}` : ""} (held because {approval.required}).
      </p>
    );
  }
  return (
    <div className="banner banner-warn" role="status" data-testid="fork-approval">
      <p>
        <strong>Awaiting approval.</strong> This run has not started: {approval.required}. Check the pull request&apos;s changes before running them (the run gets
        no secrets and a read-only token either way).
      </p>
      {approval.canDecide ? (
        <ForkApprovalForm tenant={tenant} runId={runId} />
      ) : (
        <p className="small" data-testid="fork-approval-who">
          A maintainer or admin of this tenant can approve or cancel it.
        </p>
      )}
    </div>
  );
}
