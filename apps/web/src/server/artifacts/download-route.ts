// GET /api/artifacts/download?g=…&sig=…: the zip of the one artifact a signed, unexpired URL names. No session is
// needed (the link can be handed to curl for its five minutes); the signature is the permission, checked before any
// lookup, and the row is read inside the signed tenant only, with the bytes the URL was made for.
import type { Database } from "@gantry/db";
import type { DirectoryObjectStore } from "@gantry/storage";
import { refuse } from "../runner-api/respond";
import { artifactZip } from "./artifact-zip";
import { verifyArtifactDownload } from "./download-url";

export interface ArtifactDownloadDeps {
  database: Database;
  store: DirectoryObjectStore;
  /** artifactDownloadKey(object URL secret). */
  key: string;
  now: () => number;
}

/** `attachment; filename="…"` with the UTF-8 name too (RFC 6266/5987), so any artifact name survives. */
export function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export async function handleArtifactDownload(request: Request, deps: ArtifactDownloadDeps): Promise<Response> {
  const check = verifyArtifactDownload(deps.key, new URL(request.url), deps.now());
  if (!check.ok) return refuse(403, check.code, check.error);
  const { grant } = check;
  const scope = deps.database.forTenant({ tenantId: grant.tenantId, actor: { kind: "SYSTEM" } });
  const row = await scope.artifact.findUnique({ where: { id: grant.artifactId }, select: { name: true, sha256: true, objectKey: true, expiresAt: true } });
  if (!row || row.sha256 !== grant.sha256) return refuse(404, "artifact_not_found", "This artifact was deleted (or replaced) after the link was made.");
  if (row.expiresAt.getTime() <= deps.now()) return refuse(410, "artifact_expired", `Artifact ${JSON.stringify(row.name)} expired on ${row.expiresAt.toISOString()}.`);
  if (!(await deps.store.exists(row.objectKey))) return refuse(404, "object_missing", `The bytes of artifact ${JSON.stringify(row.name)} are gone from storage.`);
  const body = await artifactZip(deps.store, row.objectKey);
  return new Response(body, {
    headers: {
      "content-type": "application/zip",
      "content-disposition": attachment(`${row.name}.zip`),
      // The bytes are immutable but the link is a credential: never kept by shared caches.
      "cache-control": "private, no-store",
    },
  });
}
