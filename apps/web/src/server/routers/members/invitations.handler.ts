// members.invitations (admin): the open invitations (not accepted, revoked or expired), newest first. The tokens
// are not here: they were shown once.
import { invitationState } from "../../members/invitations";
import type { TenantProcedureContext } from "../../trpc";

export async function listInvitationsHandler({ ctx }: { ctx: TenantProcedureContext }) {
  const now = ctx.now();
  const rows = await ctx.db.invitation.findMany({ where: { acceptedAt: null, revokedAt: null, expiresAt: { gt: now } }, orderBy: { createdAt: "desc" } });
  const inviters = await ctx.database.system("members.invitations: who invited").user.findMany({ where: { id: { in: [...new Set(rows.map((row) => row.invitedById))] } }, select: { id: true, name: true } });
  const nameOf = new Map(inviters.map((user) => [user.id, user.name]));
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    githubLogin: row.githubLogin,
    role: row.role,
    invitedBy: nameOf.get(row.invitedById) ?? row.invitedById,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    state: invitationState(row, now),
  }));
}
