import { MAX_REQUIRED_APPROVALS, REVIEWER_ROLES } from "@gantry/db";
import Link from "next/link";
import { tenantAccess } from "../../../../../server/navigation/tenant-access";
import { serverCaller } from "../../../../../server/caller";
import { CreateEnvironmentForm, DeleteEnvironmentButton, ProtectionForm } from "./environment-forms";
import { gateSettingsPage } from "../../settings-access";
import { tenantTitle } from "../../../../../server/navigation/tenant-title";

export const generateMetadata = tenantTitle("Environments");
export const dynamic = "force-dynamic";

/** Each repository's environments with their protection rules and secrets; maintainers and admins edit them. */
export default async function EnvironmentsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  await gateSettingsPage(tenant, "environments");
  const { session } = await tenantAccess(tenant);
  const { repositories, members, canManage } = await serverCaller(session).environments.list({ tenant });
  const withEnvironments = repositories.filter((repository) => repository.environments.length > 0);
  return (
    <>
      <section className="card" data-testid="environments-page" aria-labelledby="environments-title">
        <div className="card-head">
          <h1 id="environments-title">Environments</h1>
          <Link href={`/t/${tenant}/settings/approvals`} className="small">
            Deployments awaiting review
          </Link>
        </div>
        <p className="muted small">
          A job with <code>environment: NAME</code> deploys to it: its rules hold the job (reviewers, a wait timer) or refuse it (a ref the patterns do not allow), and its secrets reach only that job.
        </p>
        {repositories.length === 0 ? (
          <div className="empty">
            <p>No repository is connected yet, so there is nowhere to deploy from.</p>
            <p className="muted small">
              <Link href={`/t/${tenant}/settings/repositories`}>Connect a repository</Link> first.
            </p>
          </div>
        ) : withEnvironments.length === 0 ? (
          <div className="empty" data-testid="environments-empty">
            <p>No environment yet: jobs naming one run unprotected.</p>
            <p className="muted small">{canManage ? "Create one below, then add reviewers or branch patterns." : "Ask a maintainer to create one."}</p>
          </div>
        ) : null}
        {withEnvironments.map((repository) => (
          <div key={repository.id} className="stack">
            <h2>{repository.fullName}</h2>
            {repository.environments.map((environment) => (
              <article key={environment.id} className="pool" data-testid={`environment-${environment.name}`} aria-labelledby={`environment-${environment.id}`}>
                <div className="pool-head">
                  <h3 id={`environment-${environment.id}`}>{environment.name}</h3>
                  {canManage ? <DeleteEnvironmentButton tenant={tenant} environmentId={environment.id} name={environment.name} /> : null}
                </div>
                <ul className="small">
                  <li>
                    Reviewers:{" "}
                    {environment.requiredReviewers === null ? "none required" : environment.requiredReviewers.valid ? reviewRuleText(environment.reviewerNames, environment.requiredReviewers.config) : `invalid rule (${environment.requiredReviewers.problem}): jobs are refused until it is saved again`}
                  </li>
                  <li>Wait timer: {environment.waitTimer?.valid ? `${environment.waitTimer.config.minutes} min` : "none"}</li>
                  <li>
                    Refs that may deploy:{" "}
                    {environment.branchPolicy?.valid ? `branches ${environment.branchPolicy.config.branches.join(", ") || "none"}; tags ${environment.branchPolicy.config.tags.join(", ") || "none"}` : "any"}
                  </li>
                  <li>
                    Secrets: {environment.secrets.length === 0 ? "none" : environment.secrets.map((secret) => <code key={secret}>{secret} </code>)}{" "}
                    <Link href={`/t/${tenant}/secrets`}>manage secrets</Link>
                  </li>
                </ul>
                {canManage ? (
                  <details>
                    <summary>Edit the rules of {environment.name}</summary>
                    <ProtectionForm
                      tenant={tenant}
                      environmentId={environment.id}
                      name={environment.name}
                      members={members}
                      limits={{ roles: REVIEWER_ROLES, maxApprovals: MAX_REQUIRED_APPROVALS }}
                      values={{
                        reviewers: environment.requiredReviewers?.valid ? environment.requiredReviewers.config.reviewers : [],
                        reviewerRoles: environment.requiredReviewers?.valid ? environment.requiredReviewers.config.reviewerRoles : [],
                        requiredApprovals: environment.requiredReviewers?.valid ? environment.requiredReviewers.config.requiredApprovals : 1,
                        preventSelfReview: environment.requiredReviewers?.valid ? environment.requiredReviewers.config.preventSelfReview : false,
                        expiresInMinutes: environment.requiredReviewers?.valid ? environment.requiredReviewers.config.expiresInMinutes : null,
                        waitMinutes: environment.waitTimer?.valid ? environment.waitTimer.config.minutes : null,
                        branches: environment.branchPolicy?.valid ? environment.branchPolicy.config.branches : [],
                        tags: environment.branchPolicy?.valid ? environment.branchPolicy.config.tags : [],
                      }}
                    />
                  </details>
                ) : null}
              </article>
            ))}
          </div>
        ))}
      </section>
      {canManage && repositories.length > 0 ? (
        <section className="card">
          <CreateEnvironmentForm tenant={tenant} repositories={repositories.map(({ id, fullName }) => ({ id, fullName }))} />
        </section>
      ) : null}
    </>
  );
}

/** "Ann, any maintainer (2 approvals, not by who triggered the run, expires after 60 min)". */
function reviewRuleText(names: string[], config: { reviewerRoles: string[]; requiredApprovals: number; preventSelfReview: boolean; expiresInMinutes: number }): string {
  const who = [...names, ...config.reviewerRoles.map((role) => `any ${role.toLowerCase()}`)].join(", ");
  const approvals = config.requiredApprovals === 1 ? "one approval" : `${config.requiredApprovals} approvals`;
  return `${who} (${approvals}${config.preventSelfReview ? ", not by who triggered the run" : ""}, expires after ${config.expiresInMinutes} min)`;
}
