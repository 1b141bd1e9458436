// Which runner pool serves a job: one whose labels include every `runs-on` label, the tenant's own pools
// before shared ones, then by name, so the choice is stable.
import type { Database, TenantContext } from "@gantry/db";

export interface PoolChoice {
  id: string;
  name: string;
}

export async function choosePool(db: Database, ctx: TenantContext, runsOn: string[]): Promise<PoolChoice | null> {
  const pools = await db.system("pools a tenant may use").runnerPool.findMany({
    where: { OR: [{ tenantId: ctx.tenantId }, { tenantId: null }], labels: { hasEvery: runsOn } },
    select: { id: true, name: true, tenantId: true },
    orderBy: { name: "asc" },
  });
  const own = pools.find((pool) => pool.tenantId === ctx.tenantId);
  const chosen = own ?? pools[0];
  return chosen ? { id: chosen.id, name: chosen.name } : null;
}
