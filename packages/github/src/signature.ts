// X-Hub-Signature-256: HMAC-SHA256 of the raw body with the webhook secret, hex, prefixed `sha256=`. Verified with
// GitHub's own `@octokit/webhooks-methods` (constant-time compare); anything malformed is simply "does not verify".
import { createHmac } from "node:crypto";
import { verify } from "@octokit/webhooks-methods";

export const SIGNATURE_HEADER = "x-hub-signature-256";

const text = (body: string | Buffer) => (typeof body === "string" ? body : body.toString("utf8"));

/** The header GitHub would send for this body (tests, the fake GitHub, the benchmark): synchronous, for callers that sign in loops. */
export function signWebhook(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * True when the header is the body's signature. The body is GitHub's UTF-8 JSON: a body that is not valid UTF-8
 * does not survive the library's string form, so it does not verify — refused, never wrongly accepted.
 */
export async function verifyWebhookSignature(secret: string, body: string | Buffer, header: string | null | undefined): Promise<boolean> {
  const given = header?.trim() ?? "";
  if (!/^sha256=[0-9a-f]{64}$/.test(given) || !secret || body.length === 0) return false;
  return verify(secret, text(body), given);
}
