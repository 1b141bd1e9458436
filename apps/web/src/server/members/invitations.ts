// Invitations (docs/web.md "Members"): a link carrying a random token (only its hash is stored) that lets the
// person it names — by email, or by GitHub login — join one tenant with one role, once, within a week. Accepting is
// a conditional update (still open, not expired) and the membership in one transaction, so a link used twice at
// once makes one membership; the GitHub sign-in (github/join-tenants.ts) accepts through the same function.
import { AUDIT_ACTIONS, recordAudit, type Database, type Invitation, type Role } from "@gantry/db";

export const INVITATION_TTL_DAYS = 7;
export const INVITATION_TOKEN_PREFIX = "ginv";

/** The page that accepts an invitation: the token is the last path segment. */
export const invitationPath = (token: string) => `/invite/${token}`;

export type InvitationState = "open" | "accepted" | "revoked" | "expired";

export function invitationState(invitation: Pick<Invitation, "acceptedAt" | "revokedAt" | "expiresAt">, now: Date): InvitationState {
  if (invitation.acceptedAt) return "accepted";
  if (invitation.revokedAt) return "revoked";
  return invitation.expiresAt <= now ? "expired" : "open";
}

/** Whom an invitation names, as people read it. */
export const invitee = (invitation: Pick<Invitation, "email" | "githubLogin">) => (invitation.email ? invitation.email : `GitHub user @${invitation.githubLogin ?? "?"}`);

export interface InvitationUser {
  email: string;
  githubLogin: string | null;
}

/** Whether this user is the one invited: the same email, or the same GitHub login (both without case). */
export function invitationMatches(invitation: Pick<Invitation, "email" | "githubLogin">, user: InvitationUser): { ok: true; via: "email" | "github" } | { ok: false; reason: string } {
  if (invitation.email && invitation.email.toLowerCase() === user.email.toLowerCase()) return { ok: true, via: "email" };
  if (invitation.githubLogin && user.githubLogin && invitation.githubLogin.toLowerCase() === user.githubLogin.toLowerCase()) return { ok: true, via: "github" };
  const you = user.githubLogin ? `${user.email} (GitHub @${user.githubLogin})` : user.email;
  const how = invitation.email ? "Sign in with that email address" : "Sign in with GitHub as that user";
  return { ok: false, reason: `This invitation is for ${invitee(invitation)}; you are signed in as ${you}. ${how} to accept it.` };
}

export class InvitationError extends Error {
  override name = "InvitationError";
  constructor(
    message: string,
    readonly reason: "closed" | "already_member",
  ) {
    super(message);
  }
}

/**
 * Makes `userId` a member with the invitation's role and closes the invitation, or refuses (InvitationError) when
 * it was accepted, revoked or has expired meanwhile, or the user is already a member. One audit entry.
 */
export async function acceptInvitation(database: Database, invitation: Invitation, user: { userId: string; via: "email" | "github" | "github-email" }, now: Date): Promise<{ tenantId: string; role: Role }> {
  await database.system("invitations: accept one (any tenant: the token chose it)").$transaction(async (tx) => {
    const member = await tx.membership.findUnique({ where: { tenantId_userId: { tenantId: invitation.tenantId, userId: user.userId } }, select: { role: true } });
    if (member) throw new InvitationError(`You are already a member of this tenant (${member.role.toLowerCase()}); ask an admin to change your role.`, "already_member");
    const closed = await tx.invitation.updateMany({
      where: { id: invitation.id, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
      data: { acceptedAt: now, acceptedById: user.userId },
    });
    if (closed.count === 0) throw new InvitationError("This invitation was accepted, revoked or has expired; ask an admin of the tenant for a new one.", "closed");
    await tx.membership.create({ data: { tenantId: invitation.tenantId, userId: user.userId, role: invitation.role } });
  });
  await recordAudit(database, {
    tenantId: invitation.tenantId,
    actor: { kind: "USER", id: user.userId },
    action: AUDIT_ACTIONS.invitationAccepted,
    target: { type: "Membership", id: `${invitation.tenantId}/${user.userId}` },
    details: { invitation: invitation.id, userId: user.userId, role: invitation.role, via: user.via },
  });
  return { tenantId: invitation.tenantId, role: invitation.role };
}
