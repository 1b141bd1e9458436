// Accept links (`/invite/<token>`): for a signed-in user who is not a member yet, so not tenant procedures; the
// token picks the invitation and the user must be the one it names (members/invitations.ts).
import { authedProcedure, createTRPCRouter } from "../../trpc";
import { acceptInvitationHandler } from "./accept.handler";
import { getInvitationHandler } from "./get.handler";
import { invitationByTokenInput } from "./get.schema";

export const invitationsRouter = createTRPCRouter({
  get: authedProcedure.input(invitationByTokenInput).query(getInvitationHandler),
  accept: authedProcedure.input(invitationByTokenInput).mutation(acceptInvitationHandler),
});
