// invitations.accept (signed in): the invited user joins the tenant with the invitation's role. Refused, changing
// nothing, when the link was accepted, revoked or has expired, or names someone else.
import { TRPCError } from "@trpc/server";
import { acceptInvitation, InvitationError, invitationMatches, invitationState } from "../../members/invitations";
import type { SessionUser } from "../../auth";
import type { TRPCContext } from "../../trpc";
import type { InvitationByTokenInput } from "./get.schema";
import { invitationByToken, invitationUser } from "./invitation-by-token";

export async function acceptInvitationHandler({ ctx, input }: { ctx: TRPCContext & { session: SessionUser }; input: InvitationByTokenInput }) {
  const now = ctx.now();
  const invitation = await invitationByToken(ctx, input.token);
  const state = invitationState(invitation, now);
  if (state !== "open") throw new TRPCError({ code: "PRECONDITION_FAILED", message: `This invitation is ${state}; ask an admin of tenant '${invitation.tenant.slug}' for a new one.` });
  const match = invitationMatches(invitation, await invitationUser(ctx, ctx.session.userId));
  if (!match.ok) throw new TRPCError({ code: "FORBIDDEN", message: match.reason });
  try {
    const joined = await acceptInvitation(ctx.database, invitation, { userId: ctx.session.userId, via: match.via }, now);
    return { tenant: invitation.tenant.slug, role: joined.role };
  } catch (error) {
    if (error instanceof InvitationError) throw new TRPCError({ code: error.reason === "already_member" ? "CONFLICT" : "PRECONDITION_FAILED", message: error.message });
    throw error;
  }
}
