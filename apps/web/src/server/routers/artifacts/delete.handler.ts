// A maintainer deletes a run's artifact: the row goes at once (off the list, no longer downloadable, out of the
// quota) and so do its bytes unless another row of the tenant names the same content-addressed object (a cache
// entry, another run's artifact). Removal goes through the store's collect, the retention sweep's safe delete, so
// a writer reusing the bytes at that moment keeps them. Audited.
import { AUDIT_ACTIONS, recordAudit } from "@gantry/db";
import { DirectoryObjectStore } from "@gantry/storage";
import { getServices } from "../../services";
import type { TenantProcedureContext } from "../../trpc";
import type { ArtifactInput } from "./list.schema";
import { requireArtifact } from "./run-artifact";

export async function deleteArtifactHandler({ ctx, input }: { ctx: TenantProcedureContext; input: ArtifactInput }) {
  const artifact = await requireArtifact(ctx, input);
  await ctx.db.artifact.delete({ where: { id: artifact.id } });
  const { objectKey } = artifact;
  const stillNamed = async () =>
    (await ctx.db.artifact.count({ where: { objectKey } })) + (await ctx.db.cacheEntry.count({ where: { objectKey } })) + (await ctx.db.actionArchive.count({ where: { objectKey } })) > 0;
  const store = new DirectoryObjectStore(getServices().env.storageDir);
  const outcome = await store.collect(objectKey, new Date(), stillNamed);
  await recordAudit(ctx.database, {
    tenantId: ctx.tenant.id,
    actor: { kind: "USER", id: ctx.session.userId },
    action: AUDIT_ACTIONS.artifactDeleted,
    target: { type: "Artifact", id: artifact.id },
    details: { runId: input.runId, name: artifact.name, sizeBytes: Number(artifact.sizeBytes), sha256: artifact.sha256, bytesRemoved: outcome === "deleted" },
  });
  return { name: artifact.name, bytesRemoved: outcome === "deleted" };
}
