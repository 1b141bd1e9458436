import { AUDIT_ACTIONS, recordAudit } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { SetSharedPoolSecretsInput } from "./setSharedPoolSecrets.schema";

/**
 * The tenant's opt-in (or out) to sending its secrets to a shared pool an operator opened to it: that pool's
 * runners also run other tenants' jobs (docs/secrets.md). Without it, jobs that use secrets are not routed there.
 */
export async function setSharedPoolSecretsHandler({ ctx, input }: { ctx: TenantProcedureContext; input: SetSharedPoolSecretsInput }) {
  const changed = await ctx.db.runnerPoolTenant.updateMany({ where: { tenantId: ctx.tenant.id, pool: { name: input.pool, shared: true } }, data: { secrets: input.secrets } });
  if (changed.count === 0) {
    throw new TRPCError({ code: "NOT_FOUND", message: `No shared runner pool named '${input.pool}' is open to tenant '${ctx.tenant.slug}'.` });
  }
  await recordAudit(ctx.database, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId }, action: AUDIT_ACTIONS.poolSecretsOptIn, target: { type: "RunnerPool", id: input.pool }, details: { pool: input.pool, secrets: input.secrets } });
  return { pool: input.pool, secrets: input.secrets };
}
