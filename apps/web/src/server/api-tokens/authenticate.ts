// `Authorization: Bearer gat_…` → the token's user and scopes, or the reason it is refused. The token is looked up by
// its sha256 (the table holds no token in clear; a 256-bit random token needs no slow hash). lastUsedAt is written at
// most once a minute per token, by a conditional update, so a busy script costs one write a minute, not one a call.
import { hashToken, type Database } from "@gantry/db";
import type { SessionUser } from "../auth";
import { readScopes, type ApiScope } from "./scopes";

export const API_TOKEN_PREFIX = "gat";
/** newToken("gat"): the prefix, an underscore and 32 random bytes in base64url. */
const TOKEN_SHAPE = /^gat_[A-Za-z0-9_-]{43}$/;
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiTokenCaller {
  id: string;
  scopes: ApiScope[];
  /** When the token stops working; null: never. */
  expiresAt: Date | null;
}

export type BearerResult = { ok: true; user: SessionUser; token: ApiTokenCaller } | { ok: false; message: string };

/** The bearer credential of an Authorization header; null when the header is absent or another scheme. */
export function bearerOf(authorization: string | null | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return match?.[1] ?? null;
}

export async function authenticateApiToken(database: Database, token: string, now: Date): Promise<BearerResult> {
  if (!TOKEN_SHAPE.test(token)) return { ok: false, message: "That is not a Gantry API token (they look like gat_…); make one under API tokens in the dashboard." };
  const found = await database.system("bearer auth: the API token by its hash").apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, scopes: true, expiresAt: true, revokedAt: true, lastUsedAt: true, user: { select: { id: true, email: true, name: true } } },
  });
  if (!found) return { ok: false, message: "Unknown API token: it was never issued here or its user was deleted." };
  if (found.revokedAt) return { ok: false, message: `This API token was revoked at ${found.revokedAt.toISOString()}.` };
  if (found.expiresAt && found.expiresAt <= now) return { ok: false, message: `This API token expired at ${found.expiresAt.toISOString()}.` };
  if (!found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
    await database
      .system("bearer auth: note when the token was last used")
      .apiToken.updateMany({ where: { id: found.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: stale } }] }, data: { lastUsedAt: now } });
  }
  return {
    ok: true,
    user: { userId: found.user.id, email: found.user.email, name: found.user.name },
    token: { id: found.id, scopes: readScopes(found.scopes), expiresAt: found.expiresAt },
  };
}
