// GET /api/github/setup — where GitHub sends the browser after the App is installed (the App's "Setup URL",
// with "Request user authorization (OAuth) during installation" on). The installation_id in the URL is only a
// claim: the `code` is exchanged for the user's token and GET /user/installations must list that installation.
// Then the signed-in Gantry user becomes an admin of the installation's tenant (created here when the
// `installation` webhook has not arrived yet). An install started from a tenant's dashboard (a signed state) goes
// into that tenant: created there, or moved there from the tenant the webhook made for it (adoptInstallation).
import { AUDIT_ACTIONS, recordAudit, type Database, type TenantContext } from "@gantry/db";
import { adoptInstallation, exchangeOAuthCode, GithubApiError, GithubOAuthError, listUserInstallations, syncInstallation, type AdoptResult, type Fetch, type GithubAppCredentials } from "@gantry/github";
import { z } from "zod";
import type { SessionUser } from "../auth";
import { readInstallState } from "./install-state";

const query = z.object({
  installation_id: z.string().regex(/^\d+$/, "installation_id must be a number").transform(Number),
  setup_action: z.enum(["install", "update", "request"]).default("install"),
  code: z.string().min(1).optional(),
  /** Set when the install started from Gantry's "Install on GitHub" button (./install-state.ts). */
  state: z.string().min(1).optional(),
});

export interface GithubSetupDeps {
  database: Database;
  app: GithubAppCredentials | null;
  user: SessionUser | null;
  /** Where to send the browser afterwards (the app's origin). */
  appUrl: string;
  /** Verifies the install state (NEXTAUTH_SECRET); without it, a state is refused. */
  stateSecret?: string;
  now?: () => number;
  fetch?: Fetch;
}

const refuse = (status: number, code: string, error: string) => Response.json({ error, code }, { status });
const redirect = (to: string) => new Response(null, { status: 303, headers: { location: to } });

export async function handleGithubSetup(request: Request, deps: GithubSetupDeps): Promise<Response> {
  const url = new URL(request.url);
  const parsed = query.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) return refuse(400, "invalid_query", parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
  // An organisation member asked an owner to install: nothing is installed yet.
  if (parsed.data.setup_action === "request") return redirect(`${deps.appUrl}/`);
  if (!deps.user) return redirect(`${deps.appUrl}/signin?callbackUrl=${encodeURIComponent(`${url.pathname}${url.search}`)}`);
  if (!deps.app?.client) return refuse(503, "not_configured", "Linking an installation needs the App's OAuth client (GANTRY_GITHUB_APP_CLIENT_ID and GANTRY_GITHUB_APP_CLIENT_SECRET).");
  // A state must be this user's own, from the last hour: another user's link (or a forged one) links nothing.
  const started = parsed.data.state && deps.stateSecret ? readInstallState(deps.stateSecret, deps.user.userId, parsed.data.state, (deps.now ?? Date.now)()) : null;
  if (parsed.data.state && !started) return refuse(403, "invalid_state", "This install link was made for another user, was altered, or is more than an hour old: start again from Gantry.");
  if (!parsed.data.code) return refuse(400, "missing_code", "No code from GitHub: turn on \"Request user authorization (OAuth) during installation\" in the App's settings.");

  let installations;
  try {
    const token = await exchangeOAuthCode({ webUrl: deps.app.webUrl, clientId: deps.app.client.id, clientSecret: deps.app.client.secret, ...(deps.fetch ? { fetch: deps.fetch } : {}) }, parsed.data.code);
    installations = await listUserInstallations(deps.app.apiUrl, token, deps.fetch);
  } catch (error) {
    if (error instanceof GithubOAuthError || error instanceof GithubApiError) return refuse(401, "github_refused", error.message);
    throw error;
  }
  const installation = installations.find((candidate) => candidate.id === parsed.data.installation_id);
  if (!installation?.account) return refuse(403, "not_your_installation", `Installation ${parsed.data.installation_id} is not one your GitHub account can reach.`);

  const sys = deps.database.system("github setup: find the installation's tenant before it is known");
  // Started from a tenant's dashboard: the installation goes into that tenant, if this user is its admin.
  let intoTenantId: string | undefined;
  if (started) {
    const target = await sys.tenant.findUnique({ where: { slug: started.tenant }, select: { id: true, memberships: { where: { userId: deps.user.userId }, select: { role: true } } } });
    if (target?.memberships[0]?.role !== "ADMIN") return refuse(403, "not_admin", `Only an admin of ${started.tenant} can install the App into it.`);
    intoTenantId = target.id;
  }
  const known = await sys.installation.findUnique({ where: { githubInstallationId: BigInt(installation.id) }, select: { tenantId: true } });
  let adopted: AdoptResult | undefined;
  let tenantId: string | null;
  if (!known) {
    const created = { name: "installation" as const, payload: { action: "created" as const, installation: { id: installation.id, account: installation.account } } };
    tenantId = (await syncInstallation(deps.database, created, new Date(), intoTenantId ? { intoTenantId } : {})).tenantId;
  } else if (intoTenantId) {
    // The installation webhook came first and made a tenant of its own: move the installation over while it can.
    adopted = await adoptInstallation(deps.database, installation.id, intoTenantId);
    tenantId = adopted.tenantId;
  } else {
    tenantId = known.tenantId;
  }
  if (!tenantId) throw new Error(`installation ${installation.id} has no tenant after sync`);

  const ctx: TenantContext = { tenantId, actor: { kind: "USER", id: deps.user.userId } };
  const scoped = deps.database.forTenant(ctx);
  const membershipBefore = await scoped.membership.findUnique({ where: { tenantId_userId: { tenantId, userId: deps.user.userId } }, select: { role: true } });
  await scoped.membership.upsert({
    where: { tenantId_userId: { tenantId, userId: deps.user.userId } },
    create: { tenantId, userId: deps.user.userId, role: "ADMIN" },
    update: { role: "ADMIN" },
  });
  // Installing the App makes the installer the tenant's admin: a role change like any other.
  if (membershipBefore?.role !== "ADMIN") {
    await recordAudit(deps.database, {
      tenantId,
      actor: { kind: "USER", id: deps.user.userId },
      action: membershipBefore ? AUDIT_ACTIONS.membershipRoleChanged : AUDIT_ACTIONS.membershipCreated,
      target: { type: "Membership", id: `${tenantId}/${deps.user.userId}` },
      details: { userId: deps.user.userId, ...(membershipBefore ? { from: membershipBefore.role } : {}), to: "ADMIN", because: `installed GitHub App installation ${installation.id}` },
    });
  }
  await scoped.auditEvent.create({
    data: { tenantId, actorKind: "USER", actorId: deps.user.userId, action: "github.installation.linked", targetType: "Installation", targetId: String(installation.id), data: { account: installation.account.login, ...(started ? { startedFrom: started.tenant } : {}), ...(adopted ? { adoption: adopted.outcome, ...("reason" in adopted ? { keptBecause: adopted.reason } : {}) } : {}) } },
  });
  if (!started) return redirect(`${deps.appUrl}/`);
  // Started from the dashboard: back to the tenant that now holds the installation.
  const tenant = await deps.database.system("github setup: the tenant's slug for the redirect").tenant.findUnique({ where: { id: tenantId }, select: { slug: true } });
  return redirect(`${deps.appUrl}/${tenant ? `t/${tenant.slug}` : ""}`);
}
