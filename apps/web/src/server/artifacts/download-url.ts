// The run page's artifact downloads: a short-lived, HMAC-SHA256-signed URL of /api/artifacts/download naming one
// artifact row of one tenant (and the bytes it held when the URL was made). The route serves only what the signed
// payload names, looked up inside the signed tenant, so a URL made for one tenant's artifact can never serve another's;
// its own key (derived for this purpose) means a runner's object URL or a toolkit blob URL never verifies here.
import { createHmac } from "node:crypto";
import { z } from "zod";
import { readSignedQuery, signedQuery } from "../storage/signed-query";

/** Where the route serves the signed URLs. */
export const ARTIFACT_DOWNLOAD_ROUTE = "/api/artifacts/download";

/** Long enough to start a download after the click; short enough that a copied link goes stale soon. */
export const ARTIFACT_DOWNLOAD_TTL_MS = 5 * 60_000;

export const artifactDownloadGrant = z.object({
  tenantId: z.string().min(1),
  artifactId: z.string().min(1),
  /** The bytes the row held when the URL was made: a deleted and re-uploaded artifact is not served by an old URL. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Milliseconds since the epoch; refused from then on. */
  exp: z.number().int(),
});
export type ArtifactDownloadGrant = z.infer<typeof artifactDownloadGrant>;

/** The signing key: its own derivation of the object URL secret, so no other signed URL is valid here. */
export const artifactDownloadKey = (objectUrlSecret: string) => createHmac("sha256", objectUrlSecret).update("gantry artifact download urls").digest("hex");

/** The MAC's purpose line (signed-query.ts). */
const PURPOSE = "gantry-artifact-download";

/** A path with its query (`/api/artifacts/download?g=…&sig=…`): the browser resolves it on the page's origin. */
export function signArtifactDownload(key: string, grant: ArtifactDownloadGrant): string {
  return `${ARTIFACT_DOWNLOAD_ROUTE}?${signedQuery(key, PURPOSE, artifactDownloadGrant, grant)}`;
}

export type ArtifactDownloadCheck = { ok: true; grant: ArtifactDownloadGrant } | { ok: false; code: "bad_signature" | "url_expired"; error: string };

/** The grant a URL carries when its signature verifies (constant time) and it has not expired at `now`. */
export function verifyArtifactDownload(key: string, url: URL, now: number): ArtifactDownloadCheck {
  const check = readSignedQuery(key, PURPOSE, artifactDownloadGrant, url, now);
  if (check.ok) return check;
  if (check.code === "url_expired") return { ok: false, code: "url_expired", error: "This download link has expired (links last 5 minutes). Download the artifact again from the run page." };
  return { ok: false, code: "bad_signature", error: "This download link is not valid (it was changed or not made here). Download the artifact again from the run page." };
}
