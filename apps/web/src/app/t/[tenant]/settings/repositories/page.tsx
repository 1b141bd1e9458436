import { RelativeTime } from "../../../../../components/relative-time";
import Link from "next/link";
import { GithubAppPanel } from "../../../../../components/github-app-panel";
import { RunStatus } from "../../../../../components/run-status";
import { tenantAccess } from "../../../../../server/navigation/tenant-access";
import { serverCaller } from "../../../../../server/caller";
import { githubAppPanelState } from "../../../../../server/github/install-panel";
import { hasRole } from "../../../../../server/roles";
import { getServices } from "../../../../../server/services";
import { ConnectGitForm, RotateGitSecretButton, SyncInstallationButton } from "./repository-forms";
import { gateSettingsPage } from "../../settings-access";
import { tenantTitle } from "../../../../../server/navigation/tenant-title";

export const generateMetadata = tenantTitle("Repositories");
export const dynamic = "force-dynamic";

/** The tenant's repositories, where each comes from, and connecting more (plain git, or the GitHub App). */
export default async function RepositoriesPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  await gateSettingsPage(tenant, "repositories");
  const { session } = await tenantAccess(tenant);
  const caller = serverCaller(session);
  const [{ repositories, installations }, memberships] = await Promise.all([caller.repositories.list({ tenant }), caller.tenants.list()]);
  const role = memberships.find((membership) => membership.slug === tenant)?.role;
  const isAdmin = Boolean(role && hasRole(role, "ADMIN"));
  const services = getServices();
  const now = new Date();
  const github = isAdmin ? githubAppPanelState({ source: services.githubApp, userId: session.userId, tenant, stateSecret: services.env.NEXTAUTH_SECRET, now: now.getTime() }) : null;
  const githubWeb = services.env.githubApp.webUrl;
  const gitSources = new Map(repositories.flatMap((repository) => (repository.via && "gitSourceId" in repository.via ? [[repository.via.gitSourceId, repository.via.name] as const] : [])));
  return (
    <>
      <section className="card" data-testid="repositories-page" aria-labelledby="repositories-title">
        <div className="card-head">
          <h1 id="repositories-title">Repositories</h1>
          <Link href={`/t/${tenant}/settings`} className="small">
            Workflow folders are set under Settings
          </Link>
        </div>
        {repositories.length === 0 ? (
          <div className="empty" data-testid="repositories-empty">
            <p>No repository is connected yet.</p>
            <p className="muted small">{isAdmin ? "Connect a plain git server below, or install the GitHub App on your repositories." : "Ask an admin to connect one."}</p>
          </div>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Repository</th>
                <th scope="col">Source</th>
                <th scope="col">Default branch</th>
                <th scope="col">Workflow folders read</th>
                <th scope="col">Last run</th>
              </tr>
            </thead>
            <tbody>
              {repositories.map((repository) => (
                <tr key={repository.id} data-testid={`repository-${repository.fullName}`}>
                  <td>
                    {repository.fullName}
                    {repository.archived ? <span className="muted small"> (archived)</span> : null}
                  </td>
                  <td>
                    {repository.via === null
                      ? "not connected"
                      : "gitSourceId" in repository.via
                        ? `plain git (${repository.via.name}: ${repository.via.url})`
                        : `GitHub (${repository.via.account})`}
                  </td>
                  <td>
                    <code>{repository.defaultBranch}</code>
                  </td>
                  <td>{[repository.readGantryWorkflows ? ".gantry/workflows" : null, repository.readGithubWorkflows ? ".github/workflows" : null].filter(Boolean).join(", ") || "none"}</td>
                  <td>
                    {repository.lastRun ? (
                      <Link href={`/t/${tenant}/runs/${repository.lastRun.id}`}>
                        #{repository.lastRun.runNumber} <RunStatus status={repository.lastRun.status} /> <RelativeTime iso={repository.lastRun.createdAt} renderedAt={now.toISOString()} />
                      </Link>
                    ) : (
                      <span className="muted">no run yet</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {isAdmin && gitSources.size > 0 ? (
          <div className="form-actions" aria-label="Git sources">
            {[...gitSources].map(([id, name]) => (
              <RotateGitSecretButton key={id} tenant={tenant} gitSourceId={id} name={name} />
            ))}
          </div>
        ) : null}
        {isAdmin && installations.length > 0 ? (
          <div className="stack">
            {installations.map((installation) => (
              <p key={installation.id} className="form-actions">
                <a className="button small" href={installation.accountType === "Organization" ? `${githubWeb}/organizations/${installation.account}/settings/installations/${installation.githubInstallationId}` : `${githubWeb}/settings/installations/${installation.githubInstallationId}`} rel="noreferrer">
                  Configure {installation.account} on GitHub
                </a>
                {installation.suspended ? <span className="muted small">suspended on GitHub</span> : <SyncInstallationButton tenant={tenant} installationId={installation.id} account={installation.account} />}
              </p>
            ))}
            <p className="muted small">Choose on GitHub which repositories the App may read; its webhooks add and remove them here, and Sync reads them again now (for a missed webhook).</p>
          </div>
        ) : null}
      </section>
      {isAdmin ? (
        <section className="card">
          <ConnectGitForm tenant={tenant} />
        </section>
      ) : null}
      {github ? <GithubAppPanel state={github} /> : null}
    </>
  );
}
