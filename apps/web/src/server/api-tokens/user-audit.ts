// API tokens are personal, not a tenant's: their events are written once under each tenant the user belongs to (that
// tenant's admins see what a member's tokens can do there), or as one platform event when the user has no tenant —
// the same rule as sign-ins (auth.ts).
import { recordAudit, type AuditRecord, type Database } from "@gantry/db";

export async function recordUserAudit(database: Database, userId: string, event: Omit<AuditRecord, "tenantId" | "actor">): Promise<void> {
  const memberships = await database.system("audit: the tenants of a user, for a personal event").membership.findMany({ where: { userId }, select: { tenantId: true } });
  const tenants = memberships.length > 0 ? memberships.map((membership) => membership.tenantId) : [null];
  await recordAudit(database, ...tenants.map((tenantId) => ({ ...event, tenantId, actor: { kind: "USER" as const, id: userId } })));
}
