// Members and invitations (docs/web.md "Members"): every member may see who is in the tenant; only admins invite,
// change roles and remove. Accepting an invitation is the invitations router's (the invitee is not a member yet).
import { adminProcedure, createTRPCRouter, viewerProcedure } from "../../trpc";
import { changeRoleHandler } from "./changeRole.handler";
import { changeRoleInput } from "./changeRole.schema";
import { inviteMemberHandler } from "./invite.handler";
import { inviteMemberInput } from "./invite.schema";
import { listInvitationsHandler } from "./invitations.handler";
import { listInvitationsInput } from "./invitations.schema";
import { listMembersHandler } from "./list.handler";
import { listMembersInput } from "./list.schema";
import { removeMemberHandler } from "./remove.handler";
import { removeMemberInput } from "./remove.schema";
import { revokeInvitationHandler } from "./revokeInvitation.handler";
import { revokeInvitationInput } from "./revokeInvitation.schema";

export const membersRouter = createTRPCRouter({
  list: viewerProcedure.input(listMembersInput).query(listMembersHandler),
  invite: adminProcedure.input(inviteMemberInput).mutation(inviteMemberHandler),
  invitations: adminProcedure.input(listInvitationsInput).query(listInvitationsHandler),
  revokeInvitation: adminProcedure.input(revokeInvitationInput).mutation(revokeInvitationHandler),
  changeRole: adminProcedure.input(changeRoleInput).mutation(changeRoleHandler),
  remove: adminProcedure.input(removeMemberInput).mutation(removeMemberHandler),
});
