// Signed URLs of the blob route, handed to the toolkit as `archiveLocation`, `signed_upload_url`, `signed_url`.
// Stateless like the runner's object URLs (storage/signed-url.ts), with a key of their own: a download names a
// content-addressed object, an upload names a staged upload (upload-ids.ts). The Azure SDK appends its own query
// parameters (`comp`, `blockid`) to ours, and reads the path as `/<account>/<container>/<blob>` on an IP host or
// `/<container>/<blob>` elsewhere: both have a container here.
import { ACTIONS_SERVICE_PATH, SERVICE_BASE_HEADER } from "@gantry/runner-protocol";
import { z } from "zod";
import { readSignedQuery, signedQuery } from "../storage/signed-query";

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const blobGrant = z.discriminatedUnion("op", [
  z.object({ op: z.literal("get"), tenantId: z.string(), sha256: sha256Hex, sizeBytes: z.number().int().nonnegative(), exp: z.number().int() }),
  z.object({ op: z.literal("put"), tenantId: z.string(), uploadId: z.string(), exp: z.number().int() }),
]);
export type BlobGrant = z.infer<typeof blobGrant>;

export const BLOB_PATH = `${ACTIONS_SERVICE_PATH}blob/gantry/object`;

/** The MAC's purpose line (signed-query.ts). */
const PURPOSE = "gantry-actions-blob";

/**
 * Where the caller reaches the services: the base a runner's service proxy says the sandbox used (only its origin:
 * it is the caller's own view, and signatures do not depend on it), else the control plane's public URL.
 */
export function serviceOrigin(request: Request, publicUrl: string): string {
  const header = request.headers.get(SERVICE_BASE_HEADER);
  if (header) {
    try {
      const url = new URL(header);
      if (url.protocol === "http:" || url.protocol === "https:") return url.origin;
    } catch {
      // Not a URL: ignored.
    }
  }
  return new URL(publicUrl).origin;
}

export function signBlobUrl(secret: string, origin: string, grant: BlobGrant): string {
  return `${origin}${BLOB_PATH}?${signedQuery(secret, PURPOSE, blobGrant, grant)}`;
}

export type BlobGrantCheck = { ok: true; grant: BlobGrant } | { ok: false; status: 403; code: "bad_signature" | "url_expired"; error: string };

export function verifyBlobUrl(secret: string, url: URL, now: number): BlobGrantCheck {
  const check = readSignedQuery(secret, PURPOSE, blobGrant, url, now);
  if (check.ok) return check;
  if (check.code === "url_expired") return { ok: false, status: 403, code: "url_expired", error: "The blob URL has expired." };
  return { ok: false, status: 403, code: "bad_signature", error: check.why === "signature" ? "The blob URL's signature does not verify." : "The blob URL's grant does not parse." };
}
