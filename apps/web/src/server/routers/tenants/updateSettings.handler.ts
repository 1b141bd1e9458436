// Changing a tenant's settings is privileged (admin, through the chain) and audited: one event with the values
// given. Workflow settings apply to workflows taken in from now on (runs already created keep what they were judged
// with); the token default from the next job claimed; the scheduling plan from the next job made ready.
import { AUDIT_ACTIONS, recordAudit } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import { readTenantSettings } from "./settings.handler";
import type { UpdateTenantSettingsInput } from "./updateSettings.schema";

export async function updateTenantSettingsHandler({ ctx, input }: { ctx: TenantProcedureContext; input: UpdateTenantSettingsInput }) {
  const { tenant: _tenant, ...changes } = input;
  if (changes.schedulingWeight !== undefined && ctx.tenantAdminsSetPriority !== true) {
    throw new TRPCError({ code: "FORBIDDEN", message: "The priority class is set by the platform's operator here (GANTRY_TENANT_ADMINS_SET_PRIORITY is off)." });
  }
  const { injectionIsError, allowedActions, rateLimit, ...columns } = changes;
  await ctx.db.tenant.update({
    where: { id: ctx.tenant.id },
    data: {
      ...columns,
      ...(injectionIsError === undefined ? {} : { injectionLintError: injectionIsError }),
      ...(allowedActions === undefined ? {} : { allowedActions }),
      ...(rateLimit === undefined ? {} : rateLimit === null ? { rateLimitPerSec: null } : { rateLimitPerSec: rateLimit.perSecond, rateLimitBurst: rateLimit.burst }),
    },
  });
  const details = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  await recordAudit(ctx.database, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId }, action: AUDIT_ACTIONS.tenantSettingsUpdated, target: { type: "Tenant", id: ctx.tenant.id }, details });
  return readTenantSettings(ctx);
}
