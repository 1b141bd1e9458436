// Making a personal API token: the one place a token exists in clear is this function's answer. Stored: its sha256.
import { AUDIT_ACTIONS, hashToken, newToken, randomId, type Database } from "@gantry/db";
import { API_TOKEN_PREFIX } from "./authenticate";
import type { ApiScope } from "./scopes";
import { recordUserAudit } from "./user-audit";

const DAY_MS = 24 * 60 * 60 * 1000;

/** When a token asked for with `expiresInDays` stops working; null: never. */
export function expiryAfterDays(now: Date, days: number | null): Date | null {
  return days === null ? null : new Date(now.getTime() + days * DAY_MS);
}

export interface IssueApiToken {
  userId: string;
  name: string;
  scopes: ApiScope[];
  expiresAt: Date | null;
  /** How it was asked for: the dashboard or API as a signed-in user, another token, or the CLI's password exchange. */
  via: "session" | "token" | "password";
  ip?: string | null;
}

export interface IssuedApiToken {
  id: string;
  name: string;
  scopes: ApiScope[];
  expiresAt: string | null;
  /** In clear, this once. */
  token: string;
}

export async function issueApiToken(database: Database, request: IssueApiToken): Promise<IssuedApiToken> {
  const token = newToken(API_TOKEN_PREFIX);
  const id = randomId("tok");
  const scopes = [...new Set(request.scopes)];
  await database.system("API tokens: a user's new personal token").apiToken.create({
    data: { id, userId: request.userId, name: request.name, tokenHash: hashToken(token), scopes, expiresAt: request.expiresAt },
  });
  await recordUserAudit(database, request.userId, {
    action: AUDIT_ACTIONS.apiTokenCreated,
    target: { type: "ApiToken", id },
    details: { name: request.name, scopes, expiresAt: request.expiresAt?.toISOString() ?? null, via: request.via },
    ip: request.ip ?? null,
  });
  return { id, name: request.name, scopes, expiresAt: request.expiresAt?.toISOString() ?? null, token };
}
