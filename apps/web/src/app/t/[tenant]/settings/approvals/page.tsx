import { RelativeTime } from "../../../../../components/relative-time";
import Link from "next/link";
import { tenantAccess } from "../../../../../server/navigation/tenant-access";
import { serverCaller } from "../../../../../server/caller";
import { ApprovalForm } from "../../runs/[runId]/approval-form";
import { ApprovalProgress } from "../../runs/[runId]/approval-progress";
import { gateSettingsPage } from "../../settings-access";
import { tenantTitle } from "../../../../../server/navigation/tenant-title";

export const generateMetadata = tenantTitle("Deployments awaiting review");
export const dynamic = "force-dynamic";

/** Every deployment of the tenant awaiting review, oldest first, each linked to its run and decidable here. */
export default async function ApprovalsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  await gateSettingsPage(tenant, "approvals");
  const { session } = await tenantAccess(tenant);
  const pending = await serverCaller(session).approvals.pending({ tenant });
  const now = new Date();
  return (
    <section className="card" data-testid="approvals-page" aria-labelledby="approvals-title">
      <div className="card-head">
        <h1 id="approvals-title">Deployments awaiting review</h1>
        <Link href={`/t/${tenant}/settings/environments`} className="small">
          Environments and their reviewers
        </Link>
      </div>
      {pending.length === 0 ? (
        <div className="empty" data-testid="approvals-empty">
          <p>Nothing is waiting for a review.</p>
          <p className="muted small">A job deploying to an environment with required reviewers appears here until someone approves or rejects it, or its review expires.</p>
        </div>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Environment</th>
              <th scope="col">Run</th>
              <th scope="col">Job</th>
              <th scope="col">Requested</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {pending.map((approval) => (
              <tr key={approval.id} data-testid={`pending-${approval.id}`}>
                <td>
                  {approval.environment}
                  <ApprovalProgress approval={approval} />
                </td>
                <td>
                  <Link href={`/t/${tenant}/runs/${approval.run.id}`}>
                    {approval.run.repository} · {approval.run.workflow} #{approval.run.number}
                  </Link>{" "}
                  <span className="muted small">{approval.run.ref.replace(/^refs\/(heads|tags)\//, "")}</span>
                </td>
                <td>{approval.job.name}</td>
                <td>
                  <RelativeTime iso={approval.requestedAt} renderedAt={now.toISOString()} />
                  <span className="muted small"> · expires {new Date(approval.expiresAt).toISOString().slice(0, 16).replace("T", " ")} UTC</span>
                </td>
                <td>
                  {approval.canDecide ? (
                    <ApprovalForm tenant={tenant} runId={approval.run.id} approvalId={approval.id} canApprove={approval.canApprove} />
                  ) : (
                    <span className="muted small">{approval.voted ? "You have decided; waiting for the other reviewers." : "You are not one of its reviewers."}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
