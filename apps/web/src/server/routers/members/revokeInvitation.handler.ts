// members.revokeInvitation (admin): closes an open invitation; its link stops working at once.
import { AUDIT_ACTIONS, recordAudit } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { RevokeInvitationInput } from "./revokeInvitation.schema";

export async function revokeInvitationHandler({ ctx, input }: { ctx: TenantProcedureContext; input: RevokeInvitationInput }) {
  const now = ctx.now();
  const revoked = await ctx.db.invitation.updateMany({ where: { id: input.invitationId, acceptedAt: null, revokedAt: null }, data: { revokedAt: now } });
  if (revoked.count === 0) throw new TRPCError({ code: "NOT_FOUND", message: `No open invitation ${input.invitationId} in tenant '${ctx.tenant.slug}' (it may have been accepted or revoked already).` });
  await recordAudit(ctx.database, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId }, action: AUDIT_ACTIONS.invitationRevoked, target: { type: "Invitation", id: input.invitationId } });
  return { id: input.invitationId, revokedAt: now.toISOString() };
}
