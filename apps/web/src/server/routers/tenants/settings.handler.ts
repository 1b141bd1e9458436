import { actionsPolicySchema, type ActionsPolicy } from "@gantry/workflow-schema";
import type { TenantProcedureContext } from "../../trpc";

/** The settings that say how the tenant's workflows are judged at intake. */
export async function readTenantSettings(ctx: TenantProcedureContext): Promise<{ injectionIsError: boolean; allowedActions: ActionsPolicy }> {
  const tenant = await ctx.db.tenant.findUniqueOrThrow({ where: { id: ctx.tenant.id }, select: { injectionLintError: true, allowedActions: true } });
  // Only updateSettings writes the policy, through the same schema; reading it back checks that again.
  return { injectionIsError: tenant.injectionLintError, allowedActions: actionsPolicySchema.parse(tenant.allowedActions) };
}

/**
 * The tenant's settings as the settings page shows them (any member may read them: they say how the tenant's
 * workflows are judged), and whether the caller may change them.
 */
export async function tenantSettingsHandler({ ctx }: { ctx: TenantProcedureContext }) {
  return { ...(await readTenantSettings(ctx)), canManage: ctx.role === "ADMIN" };
}
