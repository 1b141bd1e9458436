import { readScopes } from "../../api-tokens/scopes";
import type { SessionUser } from "../../auth";
import type { TRPCContext } from "../../trpc";

/** The caller's own tokens, newest first: what each may do and when it was used; never the token. */
export async function listApiTokensHandler({ ctx }: { ctx: TRPCContext & { session: SessionUser } }) {
  const tokens = await ctx.database.system("API tokens: the caller's own").apiToken.findMany({
    where: { userId: ctx.session.userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, name: true, scopes: true, createdAt: true, expiresAt: true, lastUsedAt: true, revokedAt: true },
  });
  const now = ctx.now();
  return tokens.map((token) => ({
    id: token.id,
    name: token.name,
    scopes: readScopes(token.scopes),
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
    /** Whether a call with it would be accepted now. */
    active: token.revokedAt === null && (token.expiresAt === null || token.expiresAt > now),
  }));
}
