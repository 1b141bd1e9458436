// Changing how a tenant's workflows are judged is privileged (admin, through the chain) and audited: one event
// with the values given. The new settings apply to workflows taken in from now on; runs already created keep what
// they were judged with.
import { AUDIT_ACTIONS, recordAudit } from "@gantry/db";
import type { TenantProcedureContext } from "../../trpc";
import { readTenantSettings } from "./settings.handler";
import type { UpdateTenantSettingsInput } from "./updateSettings.schema";

export async function updateTenantSettingsHandler({ ctx, input }: { ctx: TenantProcedureContext; input: UpdateTenantSettingsInput }) {
  const changes = {
    ...(input.injectionIsError === undefined ? {} : { injectionIsError: input.injectionIsError }),
    ...(input.allowedActions === undefined ? {} : { allowedActions: input.allowedActions }),
    ...(input.githubOrgJoinRole === undefined ? {} : { githubOrgJoinRole: input.githubOrgJoinRole }),
  };
  await ctx.db.tenant.update({
    where: { id: ctx.tenant.id },
    data: { ...(changes.injectionIsError === undefined ? {} : { injectionLintError: changes.injectionIsError }), ...(changes.allowedActions ? { allowedActions: changes.allowedActions } : {}), ...(changes.githubOrgJoinRole === undefined ? {} : { githubOrgJoinRole: changes.githubOrgJoinRole }) },
  });
  await recordAudit(ctx.database, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId }, action: AUDIT_ACTIONS.tenantSettingsUpdated, target: { type: "Tenant", id: ctx.tenant.id }, details: changes });
  return readTenantSettings(ctx);
}
