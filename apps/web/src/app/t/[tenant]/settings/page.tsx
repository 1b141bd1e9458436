import type { Metadata } from "next";
import Link from "next/link";
import { getSessionUser } from "../../../../server/auth";
import { serverCaller } from "../../../../server/caller";
import { RepositoryFolders } from "./repository-folders";
import { TenantSettingsForm } from "./settings-form";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

/** How the tenant's workflows are judged at intake (docs/workflow-schema.md). */
export default async function SettingsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const session = await getSessionUser();
  if (!session) return null;
  const settings = await serverCaller(session).tenants.settings({ tenant });
  const repositories = await serverCaller(session).repositories.list({ tenant });
  return (
    <section className="card" data-testid="settings">
      <div className="card-head">
        <h2>Settings</h2>
        <Link href={`/t/${tenant}`} className="small">
          ← all runs
        </Link>
      </div>
      <h3>Workflows</h3>
      <TenantSettingsForm tenant={tenant} injectionIsError={settings.injectionIsError} allowedActions={settings.allowedActions} githubOrgJoinRole={settings.githubOrgJoinRole} canManage={settings.canManage} />
      <h3>Repositories</h3>
      <RepositoryFolders tenant={tenant} repositories={repositories.repositories} canManage={repositories.canManage} />
    </section>
  );
}
