// Which tenant and repository a GitHub delivery belongs to, when we know already: the installation it came
// through, and the repository by GitHub's id. Unknown ones stay unresolved (the delivery is still stored).
import type { Database } from "@gantry/db";
import { z } from "zod";

const routing = z.object({
  installation: z.object({ id: z.number().int().positive() }).optional(),
  repository: z.object({ id: z.number().int().positive() }).optional(),
});

export interface DeliveryOwner {
  tenantId?: string;
  repositoryId?: string;
}

export async function resolveOwner(database: Database, payload: unknown): Promise<DeliveryOwner> {
  const parsed = routing.safeParse(payload);
  if (!parsed.success) return {};
  const installationId = parsed.data.installation ? String(parsed.data.installation.id) : null;
  const repoId = parsed.data.repository ? String(parsed.data.repository.id) : null;
  if (installationId === null && repoId === null) return {};
  // One round trip on plain SQL: every webhook delivery asks this (bench/intake.ts).
  const sql = database.sql("github webhook: resolve the delivery's tenant before it is known");
  const { rows } = await sql.query<{ installationTenant: string | null; repositoryId: string | null; repositoryTenant: string | null }>(
    `SELECT (SELECT "tenantId" FROM "Installation" WHERE "githubInstallationId" = $1) AS "installationTenant",
            r.id AS "repositoryId", r."tenantId" AS "repositoryTenant"
     FROM (SELECT 1) AS one LEFT JOIN "Repository" r ON r."githubRepoId" = $2`,
    [installationId, repoId],
  );
  const row = rows[0];
  const tenantId = row?.installationTenant ?? row?.repositoryTenant ?? undefined;
  if (!tenantId) return {};
  // A repository that belongs to another tenant than the installation is not this delivery's.
  return row?.repositoryId && row.repositoryTenant === tenantId ? { tenantId, repositoryId: row.repositoryId } : { tenantId };
}
