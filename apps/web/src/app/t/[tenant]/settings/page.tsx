import Link from "next/link";
import { tenantAccess } from "../../../../server/navigation/tenant-access";
import { serverCaller } from "../../../../server/caller";
import { RepositoryFolders } from "./repository-folders";
import { TenantPlanForm } from "./plan-form";
import { TenantSettingsForm } from "./settings-form";
import { gateSettingsPage } from "../settings-access";
import { tenantTitle } from "../../../../server/navigation/tenant-title";

// The settings layout's title template applies to the pages below it, not to this one beside it.
export const generateMetadata = tenantTitle({ absolute: "Workflows and pull requests · Settings · Gantry" });
export const dynamic = "force-dynamic";

/** How the tenant's workflows are judged at intake (docs/workflow-schema.md). */
export default async function SettingsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  await gateSettingsPage(tenant, "settings");
  const { session } = await tenantAccess(tenant);
  const settings = await serverCaller(session).tenants.settings({ tenant });
  const repositories = await serverCaller(session).repositories.list({ tenant });
  return (
    <section className="card" data-testid="settings">
      <div className="card-head">
        <h1>Settings</h1>
        <Link href={`/t/${tenant}`} className="small">
          ← all runs
        </Link>
      </div>
      <h2>Workflows</h2>
      <TenantSettingsForm tenant={tenant} injectionIsError={settings.injectionIsError} allowedActions={settings.allowedActions} githubOrgJoinRole={settings.githubOrgJoinRole} canManage={settings.canManage} />
      <h2>Pull requests, tokens and scheduling</h2>
      <TenantPlanForm
        tenant={tenant}
        values={{ forkPullRequests: settings.forkPullRequests, defaultTokenPermissions: settings.defaultTokenPermissions, maxConcurrentJobs: settings.maxConcurrentJobs, rateLimit: settings.rateLimit, schedulingWeight: settings.schedulingWeight }}
        canManage={settings.canManage}
        canSetPriority={settings.canSetPriority}
      />
      <h2>Repositories</h2>
      <RepositoryFolders tenant={tenant} repositories={repositories.repositories} canManage={repositories.canManage} />
    </section>
  );
}
