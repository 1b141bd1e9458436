// One lock per tenant around every change to who is its admin: the installer's claim (github/installer-admin.ts)
// and the members procedures (a demotion, a removal) take it, so two changes at once are decided one after the
// other and a tenant is never left without an admin by a race.
import type { Prisma } from "@gantry/db";

/** Held until the transaction ends. */
export async function lockTenantAdmins(tx: Prisma.TransactionClient, tenantId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`tenant-admin:${tenantId}`}))`;
}
