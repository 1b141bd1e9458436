import type { Role } from "@gantry/db";
import { actionsPolicySchema, type ActionsPolicy } from "@gantry/workflow-schema";
import type { TenantProcedureContext } from "../../trpc";

/**
 * The settings that say how the tenant's workflows are judged at intake, and who joins at GitHub sign-in
 * (githubOrgJoinRole: members of the App's organisation join with it; null: only by invitation).
 */
export async function readTenantSettings(ctx: TenantProcedureContext): Promise<{ injectionIsError: boolean; allowedActions: ActionsPolicy; githubOrgJoinRole: Role | null }> {
  const tenant = await ctx.db.tenant.findUniqueOrThrow({ where: { id: ctx.tenant.id }, select: { injectionLintError: true, allowedActions: true, githubOrgJoinRole: true } });
  // Only updateSettings writes the policy, through the same schema; reading it back checks that again.
  return { injectionIsError: tenant.injectionLintError, allowedActions: actionsPolicySchema.parse(tenant.allowedActions), githubOrgJoinRole: tenant.githubOrgJoinRole };
}

/**
 * The tenant's settings as the settings page shows them (any member may read them: they say how the tenant's
 * workflows are judged), and whether the caller may change them.
 */
export async function tenantSettingsHandler({ ctx }: { ctx: TenantProcedureContext }) {
  return { ...(await readTenantSettings(ctx)), canManage: ctx.role === "ADMIN" };
}
