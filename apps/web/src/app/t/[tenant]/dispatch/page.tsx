import { randomUUID } from "node:crypto";
import Link from "next/link";
import { tenantAccess } from "../../../../server/navigation/tenant-access";
import { serverCaller } from "../../../../server/caller";
import { DispatchForm } from "./dispatch-form";
import { tenantTitle } from "../../../../server/navigation/tenant-title";

export const generateMetadata = tenantTitle("Run workflow");
export const dynamic = "force-dynamic";

/** Every workflow with a workflow_dispatch trigger at its repository's default branch, each with its form. */
export default async function DispatchPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { session } = await tenantAccess(tenant);
  const workflows = await serverCaller(session).runs.dispatchable({ tenant });
  return (
    <section className="card" data-testid="dispatch">
      <div className="card-head">
        <h2>Run workflow</h2>
        <Link href={`/t/${tenant}`} className="small">
          ← all runs
        </Link>
      </div>
      {workflows.length === 0 ? (
        <div className="empty">
          <p>No workflow can be run by hand.</p>
          <p className="muted small">Add an on: workflow_dispatch trigger to a workflow on a repository&apos;s default branch.</p>
        </div>
      ) : (
        workflows.map((workflow) => (
          <div key={`${workflow.repositoryId}:${workflow.workflowPath}`} className="dispatch-workflow">
            <h3>
              {workflow.name} <span className="muted small">{workflow.repository} · {workflow.workflowPath}</span>
            </h3>
            <DispatchForm
              tenant={tenant}
              repositoryId={workflow.repositoryId}
              workflowPath={workflow.workflowPath}
              defaultBranch={workflow.defaultBranch}
              inputs={workflow.inputs}
              environments={workflow.environments}
              idempotencyKey={randomUUID()}
            />
          </div>
        ))
      )}
    </section>
  );
}
