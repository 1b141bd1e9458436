// The setup callback against the fake GitHub: the code proves which installations the user reaches.
import { randomBytes } from "node:crypto";
import { parseGithubAppCredentials, syncInstallation, type GithubAppCredentials } from "@gantry/github";
import { FakeGithub } from "@gantry/github/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installState } from "../../src/server/github/install-state";
import { handleGithubSetup } from "../../src/server/github/setup";
import { setupWebTest, type WebTestContext } from "../support";

let t: WebTestContext;
let fake: FakeGithub;
let app: GithubAppCredentials;
const user = { userId: "usr_setup", email: "setup@example.com", name: "Setup" };
const INSTALLATION = 60_001;
const appUrl = "http://127.0.0.1:3999";

beforeAll(async () => {
  t = await setupWebTest();
  fake = new FakeGithub();
  await fake.start();
  fake.addInstallation(INSTALLATION).addInstallation(60_002);
  app = parseGithubAppCredentials({
    GANTRY_GITHUB_APP_ID: fake.appId,
    GANTRY_GITHUB_APP_PRIVATE_KEY: fake.privateKeyPem,
    GANTRY_GITHUB_WEBHOOK_SECRET: randomBytes(20).toString("hex"),
    GANTRY_GITHUB_APP_CLIENT_ID: fake.oauthClient.id,
    GANTRY_GITHUB_APP_CLIENT_SECRET: fake.oauthClient.secret,
    GANTRY_GITHUB_API_URL: fake.url,
    GANTRY_GITHUB_WEB_URL: fake.url,
  });
  await t.database.system("test").user.create({ data: { id: user.userId, email: user.email, name: user.name } });
});
afterAll(async () => {
  await fake?.stop();
  await t?.close();
});

const stateSecret = "a-next-auth-secret-for-states";
const setup = (query: string, signedIn: typeof user | null = user, credentials: GithubAppCredentials | null = app) =>
  handleGithubSetup(new Request(`${appUrl}/api/github/setup?${query}`), { database: t.database, app: credentials, user: signedIn, appUrl, stateSecret });
const memberships = () => t.database.system("test").membership.findMany({ where: { userId: user.userId }, include: { tenant: { include: { installations: true } } } });

describe("GET /api/github/setup", () => {
  it("sends a signed-out browser to sign in first, and back here after", async () => {
    const response = await setup(`installation_id=${INSTALLATION}&setup_action=install&code=abc`, null);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`${appUrl}/signin?callbackUrl=${encodeURIComponent(`/api/github/setup?installation_id=${INSTALLATION}&setup_action=install&code=abc`)}`);
  });

  it("refuses an installation the user's GitHub account cannot reach, a bad code, or no code — linking nothing", async () => {
    const code = fake.issueOAuthCode("octocat", [60_002]);
    const forged = await setup(`installation_id=${INSTALLATION}&setup_action=install&code=${code}`);
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ code: "not_your_installation" });
    expect((await setup(`installation_id=${INSTALLATION}&setup_action=install&code=${code}`)).status).toBe(401);
    expect((await setup(`installation_id=${INSTALLATION}&setup_action=install`)).status).toBe(400);
    expect((await setup(`installation_id=abc&code=x`)).status).toBe(400);
    expect((await setup(`installation_id=${INSTALLATION}&code=x`, user, { ...app, client: null })).status).toBe(503);
    expect(await memberships()).toEqual([]);
  });

  it("makes the installing user an admin of the installation's tenant, creating it when the webhook has not come yet", async () => {
    const code = fake.issueOAuthCode("octocat", [INSTALLATION]);
    const response = await setup(`installation_id=${INSTALLATION}&setup_action=install&code=${code}`);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`${appUrl}/`);
    const [membership, ...others] = await memberships();
    expect(others).toEqual([]);
    expect(membership).toMatchObject({ role: "ADMIN", tenant: { slug: `org-${INSTALLATION}`, installations: [expect.objectContaining({ githubInstallationId: BigInt(INSTALLATION) })] } });
    expect(await t.database.system("test").auditEvent.count({ where: { action: "github.installation.linked", actorId: user.userId } })).toBe(1);
    // The membership it made is audited as one (issue #13 item 10).
    expect(await t.database.system("test").auditEvent.findMany({ where: { action: "membership.created", actorId: user.userId } })).toEqual([
      expect.objectContaining({ tenantId: membership?.tenantId, targetType: "Membership", data: expect.objectContaining({ to: "ADMIN", because: `installed GitHub App installation ${INSTALLATION}` }) }),
    ]);
    expect(fake.callsTo(/^GET \/user\/installations$/).at(-1)?.authorization).toMatch(/^token ghu_/);
  });

  it("a request awaiting an owner's approval links nothing", async () => {
    const response = await setup(`installation_id=60002&setup_action=request`);
    expect(response.status).toBe(303);
    expect(await memberships()).toHaveLength(1);
  });

  it("an install started from the dashboard carries a signed state: someone else's, altered, stale, or for a tenant the user does not administer is refused", async () => {
    const now = Date.now();
    const sys = t.database.system("test");
    await sys.tenant.create({ data: { id: "ten_acme", slug: "acme", name: "Acme" } });
    await sys.membership.create({ data: { tenantId: "ten_acme", userId: user.userId, role: "ADMIN" } });
    await sys.tenant.create({ data: { id: "ten_beta", slug: "beta", name: "Beta" } });
    await sys.membership.create({ data: { tenantId: "ten_beta", userId: user.userId, role: "DEVELOPER" } });
    const installedFrom = (state: string) => setup(`installation_id=60002&setup_action=install&code=${fake.issueOAuthCode("octocat", [60_002])}&state=${encodeURIComponent(state)}`);
    for (const state of [installState(stateSecret, "usr_other", "acme", now), `${installState(stateSecret, user.userId, "acme", now)}x`, installState(stateSecret, user.userId, "acme", now - 2 * 3_600_000), installState("another-secret-entirely", user.userId, "acme", now)]) {
      const refused = await installedFrom(state);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ code: "invalid_state" });
    }
    const notAdmin = await installedFrom(installState(stateSecret, user.userId, "beta", now));
    expect(notAdmin.status).toBe(403);
    expect(await notAdmin.json()).toMatchObject({ code: "not_admin" });
    expect(await sys.installation.findUnique({ where: { githubInstallationId: 60_002n } })).toBeNull();
  });

  it("goes into the tenant it was started from: created there before the webhook, or moved there from the tenant the webhook made", async () => {
    const now = Date.now();
    const sys = t.database.system("test");
    const installFrom = (installation: number) =>
      setup(`installation_id=${installation}&setup_action=install&code=${fake.issueOAuthCode("octocat", [installation])}&state=${encodeURIComponent(installState(stateSecret, user.userId, "acme", now))}`);
    const webhook = (installation: number, repository: { id: number; full_name: string }) =>
      syncInstallation(t.database, { name: "installation", payload: { action: "created", installation: { id: installation, account: { id: installation, login: `org-${installation}`, type: "Organization" } }, repositories: [{ ...repository, name: repository.full_name.split("/")[1] ?? "", private: true }] } });

    // The browser first: the installation is created in acme, and the webhook's repositories land there too.
    fake.addInstallation(60_003);
    const first = await installFrom(60_003);
    expect(first.headers.get("location")).toBe(`${appUrl}/t/acme`);
    await webhook(60_003, { id: 70_003, full_name: "org-60003/api" });
    expect(await sys.repository.findUnique({ where: { githubRepoId: 70_003n } })).toMatchObject({ tenantId: "ten_acme", fullName: "org-60003/api" });

    // The webhook first: it made tenant org-60004; the setup callback moves installation and repository into acme.
    fake.addInstallation(60_004);
    const made = await webhook(60_004, { id: 70_004, full_name: "org-60004/web" });
    expect(made.tenantCreated).toBe(true);
    const moved = await installFrom(60_004);
    expect(moved.headers.get("location")).toBe(`${appUrl}/t/acme`);
    expect(await sys.installation.findUnique({ where: { githubInstallationId: 60_004n } })).toMatchObject({ tenantId: "ten_acme" });
    expect(await sys.repository.findUnique({ where: { githubRepoId: 70_004n } })).toMatchObject({ tenantId: "ten_acme" });
    expect(await sys.tenant.findUnique({ where: { id: made.tenantId ?? "" } })).toBeNull();
    expect(await sys.auditEvent.findFirst({ where: { action: "github.installation.linked", targetId: "60004" } })).toMatchObject({ tenantId: "ten_acme", data: { startedFrom: "acme", adoption: "moved" } });

    // A webhook-made tenant that is already in use keeps its installation.
    fake.addInstallation(60_005);
    const used = await webhook(60_005, { id: 70_005, full_name: "org-60005/app" });
    await sys.user.create({ data: { id: "usr_someone", email: "someone@example.com", name: "Someone" } });
    await sys.membership.create({ data: { tenantId: used.tenantId ?? "", userId: "usr_someone", role: "ADMIN" } });
    const kept = await installFrom(60_005);
    expect(kept.headers.get("location")).toBe(`${appUrl}/t/org-60005`);
    expect(await sys.installation.findUnique({ where: { githubInstallationId: 60_005n } })).toMatchObject({ tenantId: used.tenantId });
    expect(await sys.auditEvent.findFirst({ where: { action: "github.installation.linked", targetId: "60005" } })).toMatchObject({ data: { adoption: "kept", keptBecause: "its tenant already has Membership rows" } });
  });
});
