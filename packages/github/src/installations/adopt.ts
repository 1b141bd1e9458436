// An installation started from a tenant's "Install on GitHub" belongs in that tenant. GitHub's `installation`
// webhook cannot say so (only the browser carries the signed state), so when it arrived first it created a tenant
// of its own for the installation; the setup callback then moves the installation and its repositories into the
// tenant it was started from — but only while that created tenant holds nothing else (no members, runs,
// schedules, secrets…), and no repository name clashes. Otherwise the installation stays where it is.
import { Prisma, type Database } from "@gantry/db";
import { installationTenantId } from "./sync";

export type AdoptResult = { outcome: "moved" | "already"; tenantId: string } | { outcome: "kept"; tenantId: string; reason: string };

/** Rows that move with the installation; any other row of the created tenant means it is in use. */
const MOVED = new Set(["Installation", "Repository", "WebhookDelivery", "AuditEvent"]);

export async function adoptInstallation(db: Database, githubInstallationId: number, intoTenantId: string): Promise<AdoptResult> {
  const sys = db.system("github setup: move an installation into the tenant it was installed from");
  return sys.$transaction(async (tx) => {
    const installation = await tx.installation.findUnique({ where: { githubInstallationId: BigInt(githubInstallationId) }, select: { tenantId: true } });
    if (!installation) throw new Error(`installation ${githubInstallationId} is not known: sync it into the tenant instead`);
    const from = installation.tenantId;
    if (from === intoTenantId) return { outcome: "already", tenantId: from };
    const kept = (reason: string): AdoptResult => ({ outcome: "kept", tenantId: from, reason });
    if (from !== installationTenantId(githubInstallationId)) return kept("it was linked to a tenant on purpose before");
    // Lock the created tenant's row: two setup callbacks for one install move it once.
    await tx.$queryRaw`SELECT "id" FROM "Tenant" WHERE "id" = ${from} FOR UPDATE`;
    const tables = await tx.$queryRaw<{ table_name: string }[]>`
      SELECT table_name::text AS table_name FROM information_schema.columns WHERE column_name = 'tenantId' AND table_schema = current_schema()`;
    for (const { table_name: table } of tables) {
      if (MOVED.has(table)) continue;
      const rows = await tx.$queryRaw<{ found: boolean }[]>`SELECT EXISTS (SELECT 1 FROM ${Prisma.raw(`"${table.replace(/"/g, "")}"`)} WHERE "tenantId" = ${from}) AS found`;
      if (rows[0]?.found) return kept(`its tenant already has ${table} rows`);
    }
    const others = await tx.installation.count({ where: { tenantId: from, NOT: { githubInstallationId: BigInt(githubInstallationId) } } });
    if (others > 0) return kept("its tenant holds another installation");
    const clash = await tx.$queryRaw<{ fullName: string }[]>`
      SELECT r."fullName" FROM "Repository" r WHERE r."tenantId" = ${intoTenantId}
        AND r."fullName" IN (SELECT "fullName" FROM "Repository" WHERE "tenantId" = ${from}) LIMIT 1`;
    if (clash[0]) return kept(`the tenant already has a repository named ${clash[0].fullName}`);
    for (const table of MOVED) {
      if (table === "AuditEvent") continue;
      await tx.$executeRaw`UPDATE ${Prisma.raw(`"${table}"`)} SET "tenantId" = ${intoTenantId} WHERE "tenantId" = ${from}`;
    }
    // The audit log is append-only (the database refuses UPDATE): its events are copied into the tenant, saying
    // where from, and the originals stay under the removed tenant's id (readable with db.system only).
    await tx.$executeRaw`
      INSERT INTO "AuditEvent" ("tenantId", "actorKind", "actorId", "action", "targetType", "targetId", "data", "ip", "createdAt")
      SELECT ${intoTenantId}, "actorKind", "actorId", "action", "targetType", "targetId",
             COALESCE("data", '{}'::jsonb) || jsonb_build_object('copiedFromTenant', ${from}::text), "ip", "createdAt"
      FROM "AuditEvent" WHERE "tenantId" = ${from} ORDER BY "id"`;
    await tx.tenant.delete({ where: { id: from } });
    return { outcome: "moved", tenantId: intoTenantId };
  });
}
