// Which runner pool serves a job: one the tenant may use (its own, or a shared pool an operator opened to it) whose
// labels include every `runs-on` label, the tenant's own before shared ones, then by name, so the choice is stable.
// A job that would receive secrets goes only to a pool trusted with the tenant's secrets (docs/secrets.md).
import { poolsTrustedWithSecretsOf, poolsUsableBy, type Database, type TenantContext } from "@gantry/db";

export interface PoolChoice {
  id: string;
  name: string;
}

export type PoolDecision = { ok: true; pool: PoolChoice } | { ok: false; reason: string };

export async function choosePool(db: Database, ctx: TenantContext, runsOn: string[], needsSecrets = false): Promise<PoolDecision> {
  const where = needsSecrets ? poolsTrustedWithSecretsOf(ctx.tenantId) : poolsUsableBy(ctx.tenantId);
  const pools = await db.system("pools a tenant may use").runnerPool.findMany({
    where: { AND: [where, { labels: { hasEvery: runsOn } }] },
    select: { id: true, name: true, tenantId: true },
    orderBy: { name: "asc" },
  });
  const chosen = pools.find((pool) => pool.tenantId === ctx.tenantId) ?? pools[0];
  if (chosen) return { ok: true, pool: { id: chosen.id, name: chosen.name } };
  const labels = `runs-on [${runsOn.join(", ")}]`;
  if (!needsSecrets) return { ok: false, reason: `no runner pool serves ${labels}` };
  // Say why when a pool would serve the job but may not receive its secrets: the tenant can opt in, or use its own.
  const withoutSecrets = await db.system("pools a tenant may use").runnerPool.findFirst({
    where: { AND: [poolsUsableBy(ctx.tenantId), { labels: { hasEvery: runsOn } }] },
    select: { name: true },
    orderBy: { name: "asc" },
  });
  return {
    ok: false,
    reason: withoutSecrets
      ? `the job uses secrets, and the only runner pool serving ${labels} is shared pool '${withoutSecrets.name}', which this tenant has not opted in to sending secrets to`
      : `no runner pool serves ${labels}`,
  };
}
