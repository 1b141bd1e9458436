// A signed, five-minute link to an artifact's zip (server/artifacts/download-url.ts); the route behind it needs no
// session, so the link can be handed to a script. Expired artifacts get none.
import { TRPCError } from "@trpc/server";
import { objectDeps } from "../../runner-api/objects";
import { ARTIFACT_DOWNLOAD_TTL_MS, artifactDownloadKey, signArtifactDownload } from "../../artifacts/download-url";
import type { TenantProcedureContext } from "../../trpc";
import type { ArtifactInput } from "./list.schema";
import { requireArtifact } from "./run-artifact";

export async function downloadArtifactHandler({ ctx, input }: { ctx: TenantProcedureContext; input: ArtifactInput }) {
  const artifact = await requireArtifact(ctx, input);
  const now = ctx.now().getTime();
  if (artifact.expiresAt.getTime() <= now) throw new TRPCError({ code: "PRECONDITION_FAILED", message: `Artifact ${JSON.stringify(input.name)} expired on ${artifact.expiresAt.toISOString()}.` });
  const expiresAt = now + ARTIFACT_DOWNLOAD_TTL_MS;
  const url = signArtifactDownload(artifactDownloadKey(objectDeps().secret), { tenantId: ctx.tenant.id, artifactId: artifact.id, sha256: artifact.sha256, exp: expiresAt });
  return { url, expiresAt: new Date(expiresAt).toISOString(), fileName: `${artifact.name}.zip` };
}
