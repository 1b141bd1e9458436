import type { TenantProcedureContext } from "../../trpc";

/**
 * The tenant's settings as the settings page shows them (any member may read them: they say how the tenant's
 * workflows are judged), and whether the caller may change them.
 */
export async function tenantSettingsHandler({ ctx }: { ctx: TenantProcedureContext }) {
  const tenant = await ctx.db.tenant.findUniqueOrThrow({ where: { id: ctx.tenant.id }, select: { injectionLintError: true } });
  return { injectionIsError: tenant.injectionLintError, canManage: ctx.role === "ADMIN" };
}
