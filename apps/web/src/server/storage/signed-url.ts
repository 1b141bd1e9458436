// Expiring, HMAC-SHA256-signed object URLs (DESIGN.md "Storage"). A grant is stateless: the signed payload names
// the operation, the tenant, the content-addressed object (sha256 + size) and, for an upload, the row to record
// once the bytes are verified. Anything else about the URL is untrusted.
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

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

const mac = (secret: string, payload: string) => createHmac("sha256", secret).update(`gantry-object-url\n${payload}`).digest("base64url");

export function signObjectUrl(secret: string, grant: SignedGrant): string {
  const payload = Buffer.from(JSON.stringify(signedGrant.parse(grant))).toString("base64url");
  return `${OBJECT_ROUTE}?g=${payload}&sig=${mac(secret, payload)}`;
}

export type GrantCheck = { ok: true; grant: SignedGrant } | { ok: false; code: "bad_signature" | "url_expired"; error: string };

/** The grant a URL carries, when its signature verifies (constant time) and it has not expired at `now`. */
export function verifyObjectUrl(secret: string, url: URL, now: number): GrantCheck {
  const payload = url.searchParams.get("g") ?? "";
  const given = Buffer.from(url.searchParams.get("sig") ?? "");
  const expected = Buffer.from(mac(secret, payload));
  if (payload === "" || given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, code: "bad_signature", error: "The object URL's signature does not verify." };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, "base64url").toString());
  } catch {
    return { ok: false, code: "bad_signature", error: "The object URL's grant does not parse." };
  }
  const parsed = signedGrant.safeParse(raw);
  if (!parsed.success) return { ok: false, code: "bad_signature", error: "The object URL's grant does not parse." };
  if (parsed.data.exp <= now) return { ok: false, code: "url_expired", error: "The object URL has expired; ask for a new grant." };
  return { ok: true, grant: parsed.data };
}
