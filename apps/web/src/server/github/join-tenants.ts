// Who joins which tenants at a GitHub sign-in (docs/github.md "Who sees the runs"), besides the App's installer:
// - every open invitation naming the user's GitHub login, or one of the email addresses GitHub has verified for
//   them, is accepted (members/invitations.ts, the same path as the accept link);
// - a tenant whose admins set `githubOrgJoinRole` takes any member of the GitHub organisation that installed the
//   App, with that role — asked of GitHub as the App (GET /orgs/{org}/members/{username}) at each sign-in.
// Each join is one audit entry. A failure to reach GitHub skips the organisation joins; the sign-in goes on.
import { AUDIT_ACTIONS, recordAudit, type Database } from "@gantry/db";
import { isOrganisationMember, type GithubClient } from "@gantry/github";
import { acceptInvitation, InvitationError } from "../members/invitations";

export interface GithubSignInUser {
  userId: string;
  githubLogin: string;
  /** Lower-cased addresses GitHub verified. */
  verifiedEmails: string[];
}

export interface JoinedTenant {
  tenantId: string;
  role: string;
  because: "invitation" | "organisation";
}

export async function joinTenantsAtGithubSignIn(database: Database, github: GithubClient | null, user: GithubSignInUser, now: Date = new Date()): Promise<JoinedTenant[]> {
  const joined: JoinedTenant[] = [];
  const sys = database.system("GitHub sign-in: the invitations and organisation joins open to this user");
  const invitations = await sys.invitation.findMany({
    where: {
      acceptedAt: null,
      revokedAt: null,
      expiresAt: { gt: now },
      OR: [{ githubLogin: { equals: user.githubLogin, mode: "insensitive" } }, ...(user.verifiedEmails.length > 0 ? [{ email: { in: user.verifiedEmails, mode: "insensitive" as const } }] : [])],
    },
    orderBy: { createdAt: "asc" },
  });
  for (const invitation of invitations) {
    const via = invitation.githubLogin?.toLowerCase() === user.githubLogin.toLowerCase() ? "github" : "github-email";
    try {
      const result = await acceptInvitation(database, invitation, { userId: user.userId, via }, now);
      joined.push({ tenantId: result.tenantId, role: result.role, because: "invitation" });
    } catch (error) {
      // Already a member, or a second invitation to the same tenant: nothing to do.
      if (!(error instanceof InvitationError)) throw error;
    }
  }
  if (!github) return joined;
  const installations = await sys.installation.findMany({
    where: { deletedAt: null, accountType: "Organization", tenant: { githubOrgJoinRole: { not: null }, memberships: { none: { userId: user.userId } } } },
    select: { tenantId: true, accountLogin: true, githubInstallationId: true, tenant: { select: { githubOrgJoinRole: true } } },
    orderBy: { createdAt: "asc" },
  });
  for (const installation of installations) {
    const role = installation.tenant.githubOrgJoinRole;
    if (!role || joined.some((tenant) => tenant.tenantId === installation.tenantId)) continue;
    let member: boolean;
    try {
      member = await isOrganisationMember(github, installation.githubInstallationId, installation.accountLogin, user.githubLogin);
    } catch {
      // GitHub unreachable, or the App lacks "Members: read": no organisation join this time, the sign-in goes on.
      continue;
    }
    if (!member) continue;
    const created = await sys.membership.createMany({ data: [{ tenantId: installation.tenantId, userId: user.userId, role }], skipDuplicates: true });
    if (created.count === 0) continue;
    await recordAudit(database, {
      tenantId: installation.tenantId,
      actor: { kind: "USER", id: user.userId },
      action: AUDIT_ACTIONS.membershipCreated,
      target: { type: "Membership", id: `${installation.tenantId}/${user.userId}` },
      details: { userId: user.userId, role, because: `member of the GitHub organisation ${installation.accountLogin}, which installed the App; the tenant lets its members join` },
    });
    joined.push({ tenantId: installation.tenantId, role, because: "organisation" });
  }
  return joined;
}
