// Expiring, HMAC-SHA256-signed object URLs (DESIGN.md "Storage"). A grant is stateless: the signed payload names
// the operation, the tenant, the content-addressed object (sha256 + size) and, for an upload, the row to record
// once the bytes are verified. Anything else about the URL is untrusted.
import { z } from "zod";
import { readSignedQuery, signedQuery } from "./signed-query";

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const objectRecord = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("artifact"), runId: z.string(), name: z.string(), expiresAt: z.number().int(), /** The uploading attempt (shown on the run page). */ attemptId: z.string().optional() }),
  z.object({ kind: z.literal("cache"), repositoryId: z.string(), scope: z.string(), key: z.string(), version: sha256Hex }),
]);
export type ObjectRecord = z.infer<typeof objectRecord>;

export const signedGrant = z.object({
  op: z.enum(["put", "get"]),
  tenantId: z.string(),
  sha256: sha256Hex,
  sizeBytes: z.number().int().nonnegative(),
  /** Milliseconds since the epoch; the URL answers 403 after it. */
  exp: z.number().int(),
  /** put: the row the verified bytes become. */
  record: objectRecord.optional(),
});
export type SignedGrant = z.infer<typeof signedGrant>;

/** Where the route serves signed URLs. */
export const OBJECT_ROUTE = "/api/runner/v1/objects";

/** The MAC's purpose line (signed-query.ts). */
const PURPOSE = "gantry-object-url";

export function signObjectUrl(secret: string, grant: SignedGrant): string {
  return `${OBJECT_ROUTE}?${signedQuery(secret, PURPOSE, signedGrant, grant)}`;
}

export type GrantCheck = { ok: true; grant: SignedGrant } | { ok: false; code: "bad_signature" | "url_expired"; error: string };

/** The grant a URL carries, when its signature verifies (constant time) and it has not expired at `now`. */
export function verifyObjectUrl(secret: string, url: URL, now: number): GrantCheck {
  const check = readSignedQuery(secret, PURPOSE, signedGrant, url, now);
  if (check.ok) return check;
  if (check.code === "url_expired") return { ok: false, code: "url_expired", error: "The object URL has expired; ask for a new grant." };
  return { ok: false, code: "bad_signature", error: check.why === "signature" ? "The object URL's signature does not verify." : "The object URL's grant does not parse." };
}
