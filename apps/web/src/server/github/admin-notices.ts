// Saying plainly when a tenant has no admin, and why (on /health and the tenant's overview): nobody can manage a
// tenant the `installation` webhook created until its installer signs in with GitHub (installer-admin.ts), and
// that needs GitHub sign-in to be configured.
import type { Database } from "@gantry/db";
import type { GithubSignInStatus } from "./sign-in";

export interface TenantWithoutAdmin {
  slug: string;
  name: string;
  /** One sentence: "tenant acme has no admin: the installer octocat has not signed in with GitHub yet". */
  reason: string;
}

interface TenantFacts {
  slug: string;
  installations: { accountLogin: string; senderLogin: string | null; deletedAt: Date | null }[];
}

/** Why this tenant (which has no admin) has none. */
export function noAdminReason(tenant: TenantFacts, signIn: GithubSignInStatus): string {
  const live = tenant.installations.filter((installation) => installation.deletedAt === null);
  const installers = [...new Set(live.flatMap((installation) => (installation.senderLogin ? [installation.senderLogin] : [])))];
  const base = `tenant ${tenant.slug} has no admin`;
  if (installers.length > 0) {
    const who = installers.length === 1 ? `the installer ${installers[0]} has` : `its installers ${installers.join(", ")} have`;
    return signIn.configured ? `${base}: ${who} not signed in with GitHub yet` : `${base}: ${who} not signed in with GitHub yet, and cannot: ${signIn.reason}`;
  }
  if (live.length > 0) {
    const accounts = live.map((installation) => installation.accountLogin).join(", ");
    return `${base}: GitHub did not say who installed the App on ${accounts}; whoever installs it again through the App's setup URL (signed in to Gantry) becomes its admin`;
  }
  return `${base}: none of its members is an admin`;
}

const facts = { slug: true, name: true, installations: { select: { accountLogin: true, senderLogin: true, deletedAt: true } } } as const;

/** Every tenant without an admin (at most `limit`), each with the reason. */
export async function tenantsWithoutAdmin(database: Database, signIn: GithubSignInStatus, limit = 50): Promise<TenantWithoutAdmin[]> {
  const tenants = await database.system("health: tenants nobody administers").tenant.findMany({
    where: { memberships: { none: { role: "ADMIN" } } },
    select: facts,
    orderBy: { slug: "asc" },
    take: limit,
  });
  return tenants.map((tenant) => ({ slug: tenant.slug, name: tenant.name, reason: noAdminReason(tenant, signIn) }));
}

/** The reason one tenant has no admin; null when it has one. */
export async function tenantAdminNotice(database: Database, tenantId: string, signIn: GithubSignInStatus): Promise<string | null> {
  const tenant = await database.system("overview: does the tenant have an admin").tenant.findFirst({ where: { id: tenantId, memberships: { none: { role: "ADMIN" } } }, select: facts });
  return tenant ? noAdminReason(tenant, signIn) : null;
}
