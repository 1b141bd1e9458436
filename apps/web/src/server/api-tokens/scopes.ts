// What a personal API token may do (docs/api.md). Scopes only narrow: a token acts as its user, so the user's role in
// each tenant still decides, and the scope decides which of the user's powers the token carries. `admin` implies the
// other two, `runs:write` implies `runs:read`.
import { z } from "zod";

export const API_SCOPES = ["runs:read", "runs:write", "admin"] as const;
export type ApiScope = (typeof API_SCOPES)[number];
export const apiScope = z.enum(API_SCOPES);

const IMPLIES: Record<ApiScope, readonly ApiScope[]> = {
  "runs:read": ["runs:read"],
  "runs:write": ["runs:read", "runs:write"],
  admin: ["runs:read", "runs:write", "admin"],
};

/** Every scope the held ones carry, implied ones included. */
export function effectiveScopes(held: readonly ApiScope[]): Set<ApiScope> {
  return new Set(held.flatMap((scope) => IMPLIES[scope]));
}

export function scopesAllow(held: readonly ApiScope[], needed: ApiScope): boolean {
  return effectiveScopes(held).has(needed);
}

/** Stored scopes read back defensively: an unknown name (from a later version) carries nothing. */
export function readScopes(stored: readonly string[]): ApiScope[] {
  return stored.flatMap((scope) => {
    const parsed = apiScope.safeParse(scope);
    return parsed.success ? [parsed.data] : [];
  });
}
