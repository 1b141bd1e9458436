// Changing how a tenant's workflows are judged is privileged (admin, through the chain) and audited. The new
// setting applies to workflows taken in from now on; runs already created keep what they were judged with.
import type { TenantProcedureContext } from "../../trpc";
import type { UpdateTenantSettingsInput } from "./updateSettings.schema";

export async function updateTenantSettingsHandler({ ctx, input }: { ctx: TenantProcedureContext; input: UpdateTenantSettingsInput }) {
  const tenant = await ctx.db.tenant.update({ where: { id: ctx.tenant.id }, data: { injectionLintError: input.injectionIsError }, select: { injectionLintError: true } });
  await ctx.db.auditEvent.create({
    data: { tenantId: ctx.tenant.id, actorKind: "USER", actorId: ctx.session.userId, action: "tenant.settings.update", targetType: "Tenant", targetId: ctx.tenant.id, data: { injectionIsError: input.injectionIsError } },
  });
  return { injectionIsError: tenant.injectionLintError };
}
