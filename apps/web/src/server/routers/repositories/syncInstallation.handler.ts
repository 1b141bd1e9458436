import { recordAudit } from "@gantry/db";
import { GithubApiError, listInstallationRepositories, reconcileInstallationRepositories } from "@gantry/github";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { SyncInstallationInput } from "./syncInstallation.schema";

/**
 * "Sync now": re-reads which repositories one of the tenant's GitHub installations may reach, through the App, and
 * connects or detaches repositories as the installation webhooks would (for a webhook that never arrived).
 */
export async function syncInstallationHandler({ ctx, input }: { ctx: TenantProcedureContext; input: SyncInstallationInput }) {
  const installation = await ctx.db.installation.findFirst({ where: { id: input.installationId }, select: { id: true, githubInstallationId: true, accountLogin: true, deletedAt: true } });
  if (!installation) throw new TRPCError({ code: "NOT_FOUND", message: `Tenant '${ctx.tenant.slug}' has no GitHub installation '${input.installationId}'.` });
  if (installation.deletedAt) throw new TRPCError({ code: "PRECONDITION_FAILED", message: `The installation on ${installation.accountLogin} was uninstalled on GitHub: install the App again.` });
  const client = ctx.github?.() ?? null;
  if (!client) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "No GitHub App is configured on this server (docs/github.md \"Setup\")." });
  let listed;
  try {
    listed = await listInstallationRepositories(client, installation.githubInstallationId);
  } catch (error) {
    if (error instanceof GithubApiError) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: `GitHub did not list the installation's repositories: ${error.message}. Try again in a minute.` });
    throw error;
  }
  const tenantCtx = { tenantId: ctx.tenant.id, actor: { kind: "USER" as const, id: ctx.session.userId } };
  const changes = await reconcileInstallationRepositories(ctx.database, tenantCtx, installation.id, listed);
  await recordAudit(ctx.database, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId }, action: "github.installation.synced", target: { type: "Installation", id: installation.id }, details: { account: installation.accountLogin, added: changes.added, removed: changes.removed } });
  return { account: installation.accountLogin, repositories: listed.length, ...changes };
}
