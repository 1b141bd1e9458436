import Link from "next/link";
import { RunTable } from "../../../components/run-table";
import { GithubAppPanel } from "../../../components/github-app-panel";
import { tenantAccess } from "../../../server/navigation/tenant-access";
import { tenantAdminNotice } from "../../../server/github/admin-notices";
import { githubAppPanelState } from "../../../server/github/install-panel";
import { githubSignInStatus } from "../../../server/github/sign-in";
import { hasRole } from "../../../server/roles";
import { getServices } from "../../../server/services";
import { RunnerPools } from "./runner-pools";
import { tenantTitle } from "../../../server/navigation/tenant-title";
import { LiveRunRefresh } from "./runs/live-run-refresh";

export const generateMetadata = tenantTitle("Overview");
export const dynamic = "force-dynamic";

/** The overview shows the newest few; the Runs page (/t/<tenant>/runs) has them all, filtered and paged. */
const RECENT_RUNS = 10;

export default async function TenantOverview({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { session, caller, current } = await tenantAccess(tenant);
  const [{ runs }, pools] = await Promise.all([caller.runs.list({ tenant, limit: RECENT_RUNS }), caller.runners.list({ tenant })]);
  const now = new Date();
  // Installing the App or creating it is an admin's business; there is no platform-admin role yet.
  const role = current.role;
  const services = getServices();
  const github =
    hasRole(role, "ADMIN")
      ? githubAppPanelState({ source: services.githubApp, userId: session.userId, tenant, stateSecret: services.env.NEXTAUTH_SECRET, now: now.getTime() })
      : null;
  // A tenant nobody administers says so, and why (its installer has not signed in with GitHub yet, …).
  const noAdmin = await tenantAdminNotice(services.database, current.id, githubSignInStatus(services.env, services.githubApp.current()));
  return (
    <>
      {noAdmin ? (
        <section className="card" data-testid="no-admin-notice" role="status">
          <p>
            <strong>No admin.</strong> {noAdmin.charAt(0).toUpperCase() + noAdmin.slice(1)}. Nobody can change this tenant&apos;s settings, runners or secrets until it has one.
          </p>
        </section>
      ) : null}
      <section className="card" id="runs" data-testid="runs">
        <div className="card-head">
          <h2>Recent runs</h2>
          {runs.length === 0 ? null : (
            <Link href={`/t/${tenant}/runs`} className="small" data-testid="all-runs-link">
              All runs, filtered and paged →
            </Link>
          )}
          <Link href={`/t/${tenant}/dispatch`} className="small" data-testid="run-workflow-link">
            Run workflow
          </Link>
        </div>
        {runs.length === 0 ? (
          <div className="empty">
            <p>No runs yet.</p>
            <p className="muted small">
              Push to a connected repository with a workflow in .gantry/workflows/ to start one.
            </p>
          </div>
        ) : (
          <RunTable tenant={tenant} runs={runs} now={now} caption="The tenant's most recent runs" />
        )}
        <LiveRunRefresh tenant={tenant} />
      </section>

      <section className="card" id="runners" data-testid="runners">
        <div className="card-head">
          <h2>Runner pools</h2>
          <span className="muted small">
            Runners connect to <code>{services.env.publicUrl}</code>
          </span>
        </div>
        <RunnerPools tenant={tenant} initialPools={pools} renderedAt={now.toISOString()} canManage={hasRole(role, "ADMIN")} />
      </section>
      {github ? <GithubAppPanel state={github} /> : null}
    </>
  );
}
