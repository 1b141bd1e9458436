// Someone can see the runs: a tenant the `installation` webhook created has no members, so nobody could open its
// runs. The installation keeps its sender (who installed the App, Installation.senderGithubId); when that GitHub
// account signs in with GitHub, it becomes the admin of each such tenant that still has no admin. Matched by
// GitHub's numeric user id, which GitHub itself vouched for in the sign-in (a login can be renamed and reused).
import { AUDIT_ACTIONS, recordAudit, type Database } from "@gantry/db";
import { lockTenantAdmins } from "../members/admin-lock";

export interface ClaimedTenant {
  tenantId: string;
  slug: string;
  installation: string;
}

/** Makes the user admin of every tenant with no admin whose installation they made; returns those tenants. */
export async function claimInstalledTenants(database: Database, user: { userId: string; githubId: number }): Promise<ClaimedTenant[]> {
  const sys = database.system("GitHub sign-in: the tenants whose App installation this user made");
  const installations = await sys.installation.findMany({
    where: { senderGithubId: BigInt(user.githubId), deletedAt: null, tenant: { memberships: { none: { role: "ADMIN" } } } },
    select: { tenantId: true, accountLogin: true, githubInstallationId: true, tenant: { select: { slug: true } } },
    orderBy: { createdAt: "asc" },
  });
  const claimed: ClaimedTenant[] = [];
  for (const installation of installations) {
    if (claimed.some((tenant) => tenant.tenantId === installation.tenantId)) continue;
    const before = await sys.$transaction(async (tx) => {
      // Two sign-ins at once (or an admin made meanwhile): one decides per tenant, under this lock.
      await lockTenantAdmins(tx, installation.tenantId);
      if (await tx.membership.findFirst({ where: { tenantId: installation.tenantId, role: "ADMIN" }, select: { userId: true } })) return "has-admin" as const;
      const membership = await tx.membership.findUnique({ where: { tenantId_userId: { tenantId: installation.tenantId, userId: user.userId } }, select: { role: true } });
      await tx.membership.upsert({
        where: { tenantId_userId: { tenantId: installation.tenantId, userId: user.userId } },
        create: { tenantId: installation.tenantId, userId: user.userId, role: "ADMIN" },
        update: { role: "ADMIN" },
      });
      return membership?.role ?? null;
    });
    if (before === "has-admin") continue;
    const what = `installation ${installation.githubInstallationId} on ${installation.accountLogin}`;
    await recordAudit(database, {
      tenantId: installation.tenantId,
      actor: { kind: "USER", id: user.userId },
      action: before ? AUDIT_ACTIONS.membershipRoleChanged : AUDIT_ACTIONS.membershipCreated,
      target: { type: "Membership", id: `${installation.tenantId}/${user.userId}` },
      details: { userId: user.userId, ...(before ? { from: before } : {}), to: "ADMIN", because: `installed the GitHub App (${what}) and signed in with GitHub; the tenant had no admin` },
    });
    claimed.push({ tenantId: installation.tenantId, slug: installation.tenant.slug, installation: what });
  }
  return claimed;
}
