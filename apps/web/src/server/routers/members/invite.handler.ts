// members.invite (admin): an invitation by email or GitHub login, with a role; the accept link's token is returned
// this once (only its hash is stored). One open invitation per address per tenant, and none for a member.
import { AUDIT_ACTIONS, hashToken, newToken, randomId, recordAudit } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import { INVITATION_TOKEN_PREFIX, INVITATION_TTL_DAYS, invitationPath } from "../../members/invitations";
import type { TenantProcedureContext } from "../../trpc";
import type { InviteMemberInput } from "./invite.schema";

export async function inviteMemberHandler({ ctx, input }: { ctx: TenantProcedureContext; input: InviteMemberInput }) {
  const now = ctx.now();
  const address = input.invitee.kind === "email" ? { email: input.invitee.email } : { githubLogin: input.invitee.githubLogin };
  const who = input.invitee.kind === "email" ? input.invitee.email : `GitHub user @${input.invitee.githubLogin}`;
  const member = await ctx.db.membership.findFirst({
    where: { user: input.invitee.kind === "email" ? { email: { equals: input.invitee.email, mode: "insensitive" } } : { githubLogin: { equals: input.invitee.githubLogin, mode: "insensitive" } } },
    select: { role: true },
  });
  if (member) throw new TRPCError({ code: "CONFLICT", message: `${who} is already a member (${member.role.toLowerCase()}); change their role instead.` });
  const token = newToken(INVITATION_TOKEN_PREFIX);
  const id = randomId("inv");
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_DAYS * 24 * 60 * 60 * 1000);
  await ctx.database.system("members.invite: one open invitation per address, decided under a lock").$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`tenant-invitations:${ctx.tenant.id}`}))`;
    const open = await tx.invitation.findFirst({
      where: {
        tenantId: ctx.tenant.id,
        acceptedAt: null,
        revokedAt: null,
        expiresAt: { gt: now },
        ...(input.invitee.kind === "email" ? { email: { equals: input.invitee.email, mode: "insensitive" } } : { githubLogin: { equals: input.invitee.githubLogin, mode: "insensitive" } }),
      },
      select: { id: true },
    });
    if (open) throw new TRPCError({ code: "CONFLICT", message: `${who} already has an open invitation; revoke it to send a new one.` });
    await tx.invitation.create({ data: { id, tenantId: ctx.tenant.id, ...address, role: input.role, tokenHash: hashToken(token), invitedById: ctx.session.userId, expiresAt } });
  });
  await recordAudit(ctx.database, {
    tenantId: ctx.tenant.id,
    actor: { kind: "USER", id: ctx.session.userId },
    action: AUDIT_ACTIONS.invitationCreated,
    target: { type: "Invitation", id },
    details: { ...address, role: input.role, expiresAt: expiresAt.toISOString() },
  });
  return { id, token, path: invitationPath(token), expiresAt: expiresAt.toISOString() };
}
