import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";

/** One of the tenant's environments (the tenant client reaches no other tenant's). */
export async function ownEnvironment(ctx: TenantProcedureContext, environmentId: string) {
  const environment = await ctx.db.environment.findFirst({ where: { id: environmentId }, select: { id: true, name: true, repository: { select: { fullName: true } }, rules: { select: { id: true, kind: true, config: true } } } });
  if (!environment) throw new TRPCError({ code: "NOT_FOUND", message: `Tenant '${ctx.tenant.slug}' has no environment '${environmentId}'.` });
  return environment;
}
