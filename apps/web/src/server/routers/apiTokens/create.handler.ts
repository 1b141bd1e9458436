import { TRPCError } from "@trpc/server";
import { expiryAfterDays, issueApiToken } from "../../api-tokens/issue";
import { effectiveScopes } from "../../api-tokens/scopes";
import type { TRPCContext } from "../../trpc";
import type { SessionUser } from "../../auth";
import type { CreateApiTokenInput } from "./create.schema";

/**
 * Makes a token for the caller and answers it in clear, once. A call made with a token (it needs `admin`: the
 * router) cannot widen what that token carries: the new one's scopes are within the caller's, and it expires no
 * later than the caller does — so a leaked token cannot mint itself a longer-lived or stronger successor.
 */
export async function createApiTokenHandler({ ctx, input }: { ctx: TRPCContext & { session: SessionUser }; input: CreateApiTokenInput }) {
  const now = ctx.now();
  let expiresAt = expiryAfterDays(now, input.expiresInDays);
  if (ctx.apiToken) {
    const held = effectiveScopes(ctx.apiToken.scopes);
    const wider = input.scopes.filter((scope) => !held.has(scope));
    if (wider.length > 0) throw new TRPCError({ code: "FORBIDDEN", message: `A token cannot make a token with more scopes than its own (${wider.join(", ")}).` });
    const ceiling = ctx.apiToken.expiresAt;
    if (ceiling && (expiresAt === null || expiresAt > ceiling)) expiresAt = ceiling;
  }
  return issueApiToken(ctx.database, { userId: ctx.session.userId, name: input.name, scopes: input.scopes, expiresAt, via: ctx.apiToken ? "token" : "session" });
}
