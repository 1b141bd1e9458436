// The Gantry repository a GitHub delivery is for: found by GitHub's repository id, connected through the very
// installation the delivery came from, which must be neither suspended nor deleted.
import type { Database, Repository } from "@gantry/db";

export type ResolvedRepository = { ok: true; repository: Repository; githubInstallationId: bigint } | { ok: false; reason: string };

export async function resolveRepository(db: Database, githubRepoId: number, githubInstallationId: number | undefined): Promise<ResolvedRepository> {
  if (githubInstallationId === undefined) return { ok: false, reason: "the delivery names no installation" };
  const repository = await db
    .system("github intake: resolve the repository before the tenant is known")
    .repository.findUnique({ where: { githubRepoId: BigInt(githubRepoId) }, include: { installation: true } });
  if (!repository) return { ok: false, reason: `GitHub repository ${githubRepoId} is not connected to Gantry` };
  const installation = repository.installation;
  if (!installation || installation.githubInstallationId !== BigInt(githubInstallationId)) {
    return { ok: false, reason: `installation ${githubInstallationId} no longer has access to ${repository.fullName}` };
  }
  if (installation.deletedAt) return { ok: false, reason: `installation ${githubInstallationId} was deleted` };
  if (installation.suspendedAt) return { ok: false, reason: `installation ${githubInstallationId} is suspended` };
  if (repository.archived) return { ok: false, reason: "repository is archived" };
  const { installation: _installation, ...row } = repository;
  return { ok: true, repository: row, githubInstallationId: installation.githubInstallationId };
}
