import { AUDIT_ACTIONS } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import { recordUserAudit } from "../../api-tokens/user-audit";
import type { SessionUser } from "../../auth";
import type { TRPCContext } from "../../trpc";
import type { RevokeApiTokenInput } from "./revoke.schema";

/** Revokes one of the caller's own tokens, at once and for good; revoking a revoked token changes nothing. */
export async function revokeApiTokenHandler({ ctx, input }: { ctx: TRPCContext & { session: SessionUser }; input: RevokeApiTokenInput }) {
  const tokens = ctx.database.system("API tokens: revoke the caller's own");
  // Another user's token answers as an unknown one: no probing for ids.
  const token = await tokens.apiToken.findFirst({ where: { id: input.id, userId: ctx.session.userId }, select: { id: true, name: true, revokedAt: true } });
  if (!token) throw new TRPCError({ code: "NOT_FOUND", message: `You have no API token ${input.id}.` });
  if (token.revokedAt) return { id: token.id, revokedAt: token.revokedAt.toISOString(), changed: false };
  const revokedAt = ctx.now();
  const updated = await tokens.apiToken.updateMany({ where: { id: token.id, revokedAt: null }, data: { revokedAt } });
  if (updated.count === 0) return { id: token.id, revokedAt: null, changed: false };
  await recordUserAudit(ctx.database, ctx.session.userId, { action: AUDIT_ACTIONS.apiTokenRevoked, target: { type: "ApiToken", id: token.id }, details: { name: token.name, via: ctx.apiToken ? "token" : "session" } });
  return { id: token.id, revokedAt: revokedAt.toISOString(), changed: true };
}
