// invitations.get (signed in): what an accept link offers — the tenant, the role, whom it is for — and whether the
// signed-in user may accept it now, with the reason when not (the /invite/[token] page says it).
import { invitationMatches, invitationState, invitee } from "../../members/invitations";
import type { TRPCContext } from "../../trpc";
import type { SessionUser } from "../../auth";
import type { InvitationByTokenInput } from "./get.schema";
import { invitationByToken, invitationUser } from "./invitation-by-token";

export async function getInvitationHandler({ ctx, input }: { ctx: TRPCContext & { session: SessionUser }; input: InvitationByTokenInput }) {
  const invitation = await invitationByToken(ctx, input.token);
  const state = invitationState(invitation, ctx.now());
  const match = invitationMatches(invitation, await invitationUser(ctx, ctx.session.userId));
  const closed = {
    accepted: "This invitation has been accepted already.",
    revoked: "This invitation was revoked by an admin of the tenant; ask them for a new one.",
    expired: "This invitation has expired; ask an admin of the tenant for a new one.",
  } as const;
  return {
    tenant: invitation.tenant,
    role: invitation.role,
    invitee: invitee(invitation),
    kind: invitation.email ? ("email" as const) : ("github" as const),
    state,
    expiresAt: invitation.expiresAt.toISOString(),
    canAccept: state === "open" && match.ok,
    reason: state !== "open" ? closed[state] : match.ok ? null : match.reason,
  };
}
