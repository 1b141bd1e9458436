// Which runner pools serve which tenant (issue #13 item 7). A pool is a tenant's own (`tenantId`) or shared by an
// operator (`shared`, no tenant) with the tenants listed in RunnerPoolTenant. A tenant's secrets go to its own
// pools, and to a shared pool only when the tenant opted in (`RunnerPoolTenant.secrets`): the runners of a shared
// pool also run other tenants' code. Every routing and claim decision reads these filters, nothing else.
import type { Prisma } from "./generated/prisma/client";
import type { Database } from "./database";

/** Pools whose runners may run this tenant's jobs. */
export function poolsUsableBy(tenantId: string): Prisma.RunnerPoolWhereInput {
  return { OR: [{ tenantId, shared: false }, { shared: true, tenants: { some: { tenantId } } }] };
}

/** Pools whose runners may receive this tenant's secrets. */
export function poolsTrustedWithSecretsOf(tenantId: string): Prisma.RunnerPoolWhereInput {
  return { OR: [{ tenantId, shared: false }, { shared: true, tenants: { some: { tenantId, secrets: true } } }] };
}

export interface PoolAccess {
  /** The pool may run the tenant's jobs. */
  usable: boolean;
  /** Its runners may receive the tenant's secrets. */
  secrets: boolean;
}

export async function poolAccess(db: Database, poolId: string, tenantId: string): Promise<PoolAccess> {
  const pool = await db.system("runner pools: may this pool serve this tenant").runnerPool.findUnique({
    where: { id: poolId },
    select: { tenantId: true, shared: true, tenants: { where: { tenantId }, select: { secrets: true } } },
  });
  if (!pool) return { usable: false, secrets: false };
  if (!pool.shared) return { usable: pool.tenantId === tenantId, secrets: pool.tenantId === tenantId };
  const grant = pool.tenants[0];
  return { usable: grant !== undefined, secrets: grant?.secrets === true };
}
