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
  const sys = database.system("github webhook: resolve the delivery's tenant before it is known");
  const [installation, repository] = await Promise.all([
    parsed.data.installation ? sys.installation.findUnique({ where: { githubInstallationId: BigInt(parsed.data.installation.id) }, select: { tenantId: true } }) : null,
    parsed.data.repository ? sys.repository.findUnique({ where: { githubRepoId: BigInt(parsed.data.repository.id) }, select: { id: true, tenantId: true } }) : null,
  ]);
  const tenantId = installation?.tenantId ?? repository?.tenantId;
  if (!tenantId) return {};
  // A repository that belongs to another tenant than the installation is not this delivery's.
  return repository && repository.tenantId === tenantId ? { tenantId, repositoryId: repository.id } : { tenantId };
}
