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
  // audit: runner_pool.secrets_opt_in
  return { pool: input.pool, secrets: input.secrets };
}
