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
  // One statement (the pool and the tenant's grant on it): a claim asks this for every job it pops.
  const rows = await db.system("runner pools: may this pool serve this tenant").$queryRaw<{ tenantId: string | null; shared: boolean; secrets: boolean | null }[]>`
    SELECT p."tenantId", p."shared", g."secrets"
    FROM "RunnerPool" p LEFT JOIN "RunnerPoolTenant" g ON g."poolId" = p."id" AND g."tenantId" = ${tenantId}
    WHERE p."id" = ${poolId}`;
  const pool = rows[0];
  if (!pool) return { usable: false, secrets: false };
  if (!pool.shared) return { usable: pool.tenantId === tenantId, secrets: pool.tenantId === tenantId };
  // A grant row is there (its `secrets` is never null) or not (the left join's null).
  return { usable: pool.secrets !== null, secrets: pool.secrets === true };
}
