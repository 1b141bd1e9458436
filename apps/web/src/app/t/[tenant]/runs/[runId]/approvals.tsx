// A run's deployment reviews: who must decide, until when, and (for those who may) the buttons to decide.
import { serverCaller } from "../../../../../server/caller";
import type { SessionUser } from "../../../../../server/auth";
import { ApprovalForm } from "./approval-form";
import { ApprovalProgress } from "./approval-progress";

export async function Approvals({ session, tenant, runId }: { session: SessionUser; tenant: string; runId: string }) {
  const approvals = await serverCaller(session).approvals.list({ tenant, runId });
  if (approvals.length === 0) return null;
  return (
    <section className="card" data-testid="approvals">
      <div className="card-head">
        <h2>Deployment reviews</h2>
        <span className="muted small">{approvals.filter((approval) => approval.status === "PENDING").length} pending</span>
      </div>
      <ul className="approvals">
        {approvals.map((approval) => (
          <li key={approval.id} data-testid={`approval-${approval.job.key}`}>
            <strong>{approval.job.name}</strong> → environment <code>{approval.environment}</code>:{" "}
            <span data-testid="approval-status">{approval.status.toLowerCase()}</span>
            {approval.decidedById && <span className="muted small"> by {approval.decidedById}</span>}
            {/* Reviews decided before votes were recorded have none to count. */}
            {(approval.status === "PENDING" || approval.approvals > 0) && <ApprovalProgress approval={approval} />}
            {approval.comment && <span className="muted small"> — “{approval.comment}”</span>}
            {approval.status === "PENDING" && (
              <span className="muted small">
                {" "}
                · reviewers: {reviewersText(approval)} · expires {new Date(approval.expiresAt).toUTCString()}
              </span>
            )}
            {approval.canDecide && <ApprovalForm tenant={tenant} runId={runId} approvalId={approval.id} canApprove={approval.canApprove} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The named reviewers and roles, or the default (any maintainer) when the rule names neither. */
function reviewersText({ reviewers, reviewerRoles }: { reviewers: string[]; reviewerRoles: string[] }): string {
  const named = [...reviewers, ...reviewerRoles.map((role) => `any ${role.toLowerCase()}`)];
  return named.length > 0 ? named.join(", ") : "any maintainer";
}
