// A tenant nobody administers is said plainly, with why, on GET /api/health (and the overview, from the same
// function): the installer has not signed in with GitHub yet; and when GitHub sign-in is not configured, that too.
import { randomBytes } from "node:crypto";
import { syncInstallation } from "@gantry/github";
import { FakeGithub } from "@gantry/github/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET } from "../../src/app/api/health/route";
import { noAdminReason, tenantAdminNotice } from "../../src/server/github/admin-notices";
import type { HealthReport } from "../../src/server/health";
import { closeServices } from "../../src/server/services";
import { setupWebTest, stubWebEnv, type WebTestContext } from "../support";

let t: WebTestContext;
let fake: FakeGithub;
let tenantId = "";

beforeAll(async () => {
  t = await setupWebTest();
  fake = new FakeGithub();
  await fake.start();
  const synced = await syncInstallation(t.database, {
    name: "installation",
    payload: { action: "created", installation: { id: 80_001, account: { id: 80_001, login: "acme", type: "Organization" } }, sender: { login: "octocat", id: 583_231, type: "User" } },
  });
  tenantId = synced.tenantId ?? "";
});
afterAll(async () => {
  await closeServices();
  vi.unstubAllEnvs();
  await fake?.stop();
  await t?.close();
});

async function health(env: Record<string, string>): Promise<HealthReport> {
  await closeServices();
  vi.unstubAllEnvs();
  stubWebEnv({ ...t.env, ...env });
  const response = await GET();
  expect(response.status).toBe(200);
  return (await response.json()) as HealthReport;
}

const appEnv = () => ({
  GANTRY_GITHUB_APP_ID: fake.appId,
  GANTRY_GITHUB_APP_PRIVATE_KEY: fake.privateKeyPem,
  GANTRY_GITHUB_WEBHOOK_SECRET: randomBytes(20).toString("hex"),
  GANTRY_GITHUB_API_URL: fake.url,
  GANTRY_GITHUB_WEB_URL: fake.url,
});

describe("tenants without an admin", () => {
  it("/health names the tenant and the installer who has not signed in, and that GitHub sign-in is not configured", async () => {
    const report = await health({});
    expect(report.status).toBe("ok");
    expect(report.githubSignIn).toMatchObject({ configured: false, reason: expect.stringContaining("GitHub sign-in is not configured") });
    expect(report.tenantsWithoutAdmin).toEqual([
      { slug: "acme", name: "acme", reason: expect.stringMatching(/^tenant acme has no admin: the installer octocat has not signed in with GitHub yet, and cannot: GitHub sign-in is not configured: no GitHub App/) },
    ]);
  });

  it("with the App but no OAuth client, it names the client variables; with the client, only the installer", async () => {
    const noClient = await health(appEnv());
    expect(noClient.tenantsWithoutAdmin[0]?.reason).toContain("set GANTRY_GITHUB_APP_CLIENT_ID and GANTRY_GITHUB_APP_CLIENT_SECRET");
    const withClient = await health({ ...appEnv(), GANTRY_GITHUB_APP_CLIENT_ID: fake.oauthClient.id, GANTRY_GITHUB_APP_CLIENT_SECRET: fake.oauthClient.secret });
    expect(withClient.githubSignIn).toEqual({ configured: true, from: "app" });
    expect(withClient.tenantsWithoutAdmin).toEqual([{ slug: "acme", name: "acme", reason: "tenant acme has no admin: the installer octocat has not signed in with GitHub yet" }]);
  });

  it("the overview's notice says the same, and both go quiet once the tenant has an admin", async () => {
    expect(await tenantAdminNotice(t.database, tenantId, { configured: true, from: "app" })).toBe("tenant acme has no admin: the installer octocat has not signed in with GitHub yet");
    await t.database.system("test").user.create({ data: { id: "usr_acme_admin", email: "acme-admin@example.com", name: "Admin" } });
    await t.database.system("test").membership.create({ data: { tenantId, userId: "usr_acme_admin", role: "ADMIN" } });
    expect(await tenantAdminNotice(t.database, tenantId, { configured: true, from: "app" })).toBeNull();
    expect((await health({})).tenantsWithoutAdmin).toEqual([]);
  });

  it("an installation GitHub sent no sender for, and a tenant without installations, say so", () => {
    const signIn = { configured: true as const, from: "app" as const };
    expect(noAdminReason({ slug: "x", installations: [{ accountLogin: "x-org", senderLogin: null, deletedAt: null }] }, signIn)).toContain("GitHub did not say who installed the App on x-org");
    expect(noAdminReason({ slug: "y", installations: [] }, signIn)).toBe("tenant y has no admin: none of its members is an admin");
  });
});
