// "Someone can see the runs", in Chromium against the production server and the fake GitHub: a signed
// `installation` webhook creates a tenant with no members; its installer clicks "Sign in with GitHub", goes
// through the fake's authorize page and back, lands on that tenant as its admin and opens a run there; another
// GitHub user gets no tenant and the 404 page (status 404) on the same run page. The admin also turns a workflow folder off on the
// Settings page.
import { randomBytes, randomUUID } from "node:crypto";
import { intake } from "@gantry/db";
import { signWebhook } from "@gantry/github";
import { FakeGithub } from "@gantry/github/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupWebTest, type WebTestContext } from "../support";
import { ensureWebBuild, launchChromium, poll, startWebServer, type WebServer } from "./harness";

let t: WebTestContext;
let fake: FakeGithub;
let server: WebServer | undefined;
let browser: Browser | undefined;
const webhookSecret = randomBytes(20).toString("hex");
const INSTALLATION = 90_001;

beforeAll(async () => {
  await ensureWebBuild();
  t = await setupWebTest();
  fake = new FakeGithub();
  await fake.start();
  fake.addInstallation(INSTALLATION);
  server = await startWebServer({
    ...t.env,
    GANTRY_GITHUB_APP_ID: fake.appId,
    GANTRY_GITHUB_APP_PRIVATE_KEY: fake.privateKeyPem,
    GANTRY_GITHUB_WEBHOOK_SECRET: webhookSecret,
    GANTRY_GITHUB_APP_CLIENT_ID: fake.oauthClient.id,
    GANTRY_GITHUB_APP_CLIENT_SECRET: fake.oauthClient.secret,
    GANTRY_GITHUB_API_URL: fake.url,
    GANTRY_GITHUB_WEB_URL: fake.url,
  });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await fake?.stop();
  await t?.close();
});

async function signInWithGitHub(login: string) {
  if (!browser || !server) throw new Error("the server or Chromium did not start");
  fake.signInAs(login);
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.baseUrl}/signin`);
  await page.getByRole("button", { name: "Sign in with GitHub" }).click();
  await page.waitForURL((url) => url.origin === server?.baseUrl && url.pathname !== "/signin" && !url.pathname.startsWith("/api/auth"), { timeout: 30_000 });
  return page;
}

describe("GitHub sign-in in the browser", () => {
  it("the installer signs in with GitHub, is the new tenant's admin, and sees its run; another user does not", async () => {
    if (!server) throw new Error("no server");
    const body = JSON.stringify({
      action: "created",
      installation: { id: INSTALLATION, account: { id: INSTALLATION, login: "octo-org", type: "Organization" }, app_id: Number(fake.appId) },
      repositories: [{ id: 990_001, name: "app", full_name: "octo-org/app", private: true }],
      sender: { login: "octocat", id: 583_231, type: "User" },
    });
    const delivered = await fetch(`${server.baseUrl}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "installation", "x-github-delivery": randomUUID(), "x-hub-signature-256": signWebhook(webhookSecret, body) },
      body,
    });
    expect(delivered.status).toBe(202);
    const installation = await poll("the installation's tenant", 15_000, async () => (await t.database.system("test").installation.findFirst({ where: { githubInstallationId: BigInt(INSTALLATION) }, include: { tenant: true, repositories: true } })) ?? undefined);
    const repository = installation.repositories[0];
    if (!repository) throw new Error("no repository");
    const run = await intake.createInvalidRun(t.database.system("test"), { tenantId: installation.tenantId, actor: { kind: "SYSTEM" } }, { repositoryId: repository.id, idempotencyKey: "e2e-gh", workflowPath: ".github/workflows/ci.yml", workflowName: "CI", event: "push", ref: "refs/heads/main", sha: "c".repeat(40), trusted: true, errors: [] });
    const runUrl = `${server.baseUrl}/t/${installation.tenant.slug}/runs/${run.runId}`;

    // /health says why nobody can see it yet.
    const health = (await (await fetch(`${server.baseUrl}/api/health`)).json()) as { tenantsWithoutAdmin: { reason: string }[] };
    expect(health.tenantsWithoutAdmin.map((tenant) => tenant.reason)).toContain(`tenant ${installation.tenant.slug} has no admin: the installer octocat has not signed in with GitHub yet`);

    fake.addUser({ login: "octocat", id: 583_231, name: "The Octocat" });
    const octocat = await signInWithGitHub("octocat");
    expect(new URL(octocat.url()).pathname).toBe(`/t/${installation.tenant.slug}`);
    await octocat.goto(runUrl);
    await poll("the run page", 15_000, async () => ((await octocat.getByText("No access").count()) === 0 && (await octocat.getByText("CI").count()) > 0 ? true : undefined), () => server?.output() ?? "");
    const user = await t.database.system("test").user.findUniqueOrThrow({ where: { githubId: BigInt(583_231) }, include: { memberships: true } });
    expect(user.memberships.map((membership) => [membership.tenantId, membership.role])).toEqual([[installation.tenantId, "ADMIN"]]);

    // As admin, the installer turns the repository's .github/workflows off on the Settings page.
    await octocat.goto(`${server.baseUrl}/t/${installation.tenant.slug}/settings`);
    const row = octocat.getByTestId(`repository-${repository.fullName}`);
    const githubFolder = row.getByLabel(".github/workflows");
    expect(await githubFolder.isChecked()).toBe(true);
    await githubFolder.uncheck();
    await row.getByRole("button", { name: "Save" }).click();
    await poll("the folder setting saved", 15_000, async () => ((await t.database.system("test").repository.findUniqueOrThrow({ where: { id: repository.id } })).readGithubWorkflows ? undefined : true), () => server?.output() ?? "");
    expect(await t.database.system("test").auditEvent.count({ where: { tenantId: installation.tenantId, action: "repository.workflow_folders.update", actorId: user.id } })).toBe(1);

    fake.addUser({ login: "hubot", id: 9_919 });
    const hubot = await signInWithGitHub("hubot");
    expect(await hubot.getByRole("heading", { name: "No tenants yet" }).count()).toBe(1);
    const refused = await hubot.goto(runUrl);
    expect(refused?.status()).toBe(404);
    await poll("Not found for another user", 15_000, async () => ((await hubot.getByRole("heading", { name: "Not found" }).count()) > 0 ? true : undefined), () => server?.output() ?? "");
    const other = await t.database.system("test").user.findUniqueOrThrow({ where: { githubId: BigInt(9_919) }, include: { memberships: true } });
    expect(other.memberships).toEqual([]);
  });
});
