// The one way our expiring URLs carry what they grant: `g=<base64url JSON>&sig=<HMAC-SHA256 of it>`, the MAC taken
// over a purpose line first, so a URL signed for one purpose (runner objects, toolkit blobs, artifact downloads)
// never verifies for another even under one secret. Each user adds its own expiry check and wording.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { z } from "zod";

const mac = (secret: string, purpose: string, payload: string) => createHmac("sha256", secret).update(`${purpose}\n${payload}`).digest("base64url");

/** The query string (without `?`) that carries `grant`, checked against `schema` first. */
export function signedQuery<T extends { exp: number }>(secret: string, purpose: string, schema: z.ZodType<T>, grant: T): string {
  const payload = Buffer.from(JSON.stringify(schema.parse(grant))).toString("base64url");
  return `g=${payload}&sig=${mac(secret, purpose, payload)}`;
}

export type SignedQueryCheck<T> = { ok: true; grant: T } | { ok: false; code: "bad_signature"; why: "signature" | "grant" } | { ok: false; code: "url_expired"; grant: T };

/** The grant `url` carries when its signature verifies (constant time), it parses and it has not expired at `now`. */
export function readSignedQuery<T extends { exp: number }>(secret: string, purpose: string, schema: z.ZodType<T>, url: URL, now: number): SignedQueryCheck<T> {
  const payload = url.searchParams.get("g") ?? "";
  const given = Buffer.from(url.searchParams.get("sig") ?? "");
  const expected = Buffer.from(mac(secret, purpose, payload));
  if (payload === "" || given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, code: "bad_signature", why: "signature" };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, "base64url").toString());
  } catch {
    return { ok: false, code: "bad_signature", why: "grant" };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, code: "bad_signature", why: "grant" };
  if (parsed.data.exp <= now) return { ok: false, code: "url_expired", grant: parsed.data };
  return { ok: true, grant: parsed.data };
}
