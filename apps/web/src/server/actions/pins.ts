// What a run's `uses:` refs resolved to (docs/actions.md "Pinning"): the first resolution of (repository, ref) in a
// run is kept, and every later job and attempt of that run gets the same commit, even after the ref moved. Two jobs
// resolving at once both insert; the unique (runId, repository, ref) keeps the first and both read it back.
import { deterministicId, Prisma, type TenantClient } from "@gantry/db";
import type { ActionSourceName } from "./source";

export interface Pin {
  sha: string;
  source: ActionSourceName;
}

const asSource = (value: string): ActionSourceName => (value === "directory" || value === "mirror" ? value : "github");

export async function pinOf(scope: TenantClient, runId: string, repository: string, ref: string): Promise<Pin | null> {
  const row = await scope.actionPin.findUnique({ where: { runId_repository_ref: { runId, repository, ref } }, select: { sha: true, source: true } });
  return row ? { sha: row.sha, source: asSource(row.source) } : null;
}

/** Records the pin unless one exists already; answers the pin that holds. */
export async function pinOnce(scope: TenantClient, tenantId: string, runId: string, repository: string, ref: string, pin: Pin): Promise<Pin> {
  try {
    await scope.actionPin.create({ data: { id: deterministicId("pin", runId, repository, ref), tenantId, runId, repository, ref, sha: pin.sha, source: pin.source } });
    return pin;
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
  }
  return (await pinOf(scope, runId, repository, ref)) ?? pin;
}
