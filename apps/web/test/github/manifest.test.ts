// The manifest flow against the fake GitHub: the form carries Gantry's manifest, the callback converts the code
// and seals the credentials into the App file, which then configures the App.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AppFileError, githubAppFromEnv } from "@gantry/github";
import { FakeGithub } from "@gantry/github/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ManifestSettings } from "../../src/server/github/manifest";
import { handleManifestCallback, handleManifestStart, type ManifestDeps } from "../../src/server/github/manifest";
import { DEMO, setupWebTest, type WebTestContext } from "../support";

let t: WebTestContext;
let fake: FakeGithub;
let settings: ManifestSettings;
const masterKey = randomBytes(32);
const admin = { userId: "usr_manifest_admin", email: "admin@example.com", name: "Admin" };
const viewer = { userId: "usr_manifest_viewer", email: "viewer@example.com", name: "Viewer" };
const appUrl = "http://127.0.0.1:3999";
const publicUrl = "https://ci.example.com";
const stateSecret = randomBytes(32).toString("base64url");

beforeAll(async () => {
  t = await setupWebTest();
  fake = new FakeGithub();
  await fake.start();
  const sys = t.database.system("test");
  for (const user of [admin, viewer]) await sys.user.create({ data: { id: user.userId, email: user.email, name: user.name } });
  await sys.membership.create({ data: { tenantId: DEMO.tenantId, userId: admin.userId, role: "ADMIN" } });
  await sys.membership.create({ data: { tenantId: DEMO.tenantId, userId: viewer.userId, role: "VIEWER" } });
  settings = { appFile: path.join(mkdtempSync(path.join(os.tmpdir(), "gantry-app-")), "github-app.json"), masterKey, apiUrl: fake.url, webUrl: fake.url };
});
afterAll(async () => {
  await fake?.stop();
  await t?.close();
});

const deps = (overrides: Partial<ManifestDeps> = {}): ManifestDeps => ({ database: t.database, user: admin, existing: null, settings, appUrl, publicUrl, stateSecret, ...overrides });
const start = (overrides: Partial<ManifestDeps> = {}, query = "") => handleManifestStart(new Request(`${appUrl}/api/github/manifest${query}`), deps(overrides));
const callback = (code: string, state: string, overrides: Partial<ManifestDeps> = {}) =>
  handleManifestCallback(new Request(`${appUrl}/api/github/manifest/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`), deps(overrides));

async function form(response: Response) {
  const html = await response.text();
  const action = /action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, "&") ?? "";
  const manifest: unknown = JSON.parse((/name="manifest" value="([^"]+)"/.exec(html)?.[1] ?? "{}").replace(/&quot;/g, '"').replace(/&amp;/g, "&"));
  return { action, manifest, state: new URL(action).searchParams.get("state") ?? "" };
}

describe("creating the GitHub App by manifest", () => {
  it("is for signed-in tenant admins, only while no App is configured and the App file is set", async () => {
    expect((await start({ user: null })).status).toBe(401);
    expect((await start({ user: viewer })).status).toBe(403);
    expect((await start({ settings: { ...settings, appFile: null } })).status).toBe(503);
    const existing = githubAppFromEnv({ GANTRY_GITHUB_APP_ID: "1", GANTRY_GITHUB_APP_PRIVATE_KEY: fake.privateKeyPem, GANTRY_GITHUB_WEBHOOK_SECRET: "x".repeat(20) });
    expect((await start({ existing })).status).toBe(409);
  });

  it("posts Gantry's manifest to GitHub: webhook, setup and redirect URLs, permissions and events", async () => {
    const response = await start({}, "?organization=acme");
    expect(response.status).toBe(200);
    const { action, manifest } = await form(response);
    expect(action.startsWith(`${fake.url}/organizations/acme/settings/apps/new?state=`)).toBe(true);
    expect(manifest).toMatchObject({
      hook_attributes: { url: `${publicUrl}/api/github/webhooks` },
      redirect_url: `${publicUrl}/api/github/manifest/callback`,
      setup_url: `${publicUrl}/api/github/setup`,
      request_oauth_on_install: true,
      default_permissions: { contents: "read", checks: "write", metadata: "read", issues: "read", pull_requests: "read" },
      default_events: expect.arrayContaining(["push", "pull_request", "check_run", "check_suite", "release", "issues", "issue_comment", "create", "delete", "label", "status", "pull_request_review", "pull_request_review_comment", "gollum"]),
    });
  });

  it("refuses a callback with another user's, a forged or an expired state, converting nothing", async () => {
    const { state } = await form(await start());
    const code = fake.issueManifestCode();
    const admin2 = { ...admin, userId: "usr_other" };
    await t.database.system("test").user.create({ data: { id: admin2.userId, email: "other@example.com", name: "Other" } });
    await t.database.system("test").membership.create({ data: { tenantId: DEMO.tenantId, userId: admin2.userId, role: "ADMIN" } });
    expect((await callback(code, state, { user: admin2 })).status).toBe(400);
    expect((await callback(code, `${state.slice(0, -2)}xx`)).status).toBe(400);
    expect((await callback(code, state, { now: () => Date.now() + 2 * 3_600_000 })).status).toBe(400);
    expect(fake.callsTo(/\/app-manifests\//)).toHaveLength(0);
  });

  it("converts the code, seals the credentials in the App file and sends the browser to install the App", async () => {
    const { state } = await form(await start());
    const response = await callback(fake.issueManifestCode(), state);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("https://github.com/apps/gantry-ci/installations/new");
    const file = settings.appFile ?? "";
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const sealed = readFileSync(file, "utf8");
    expect(sealed).not.toContain("PRIVATE KEY");
    expect(sealed).not.toContain(fake.webhookSecret);

    const app = githubAppFromEnv({ GANTRY_GITHUB_APP_FILE: file, GANTRY_MASTER_KEY: masterKey.toString("base64") });
    expect(app).toMatchObject({ appId: fake.appId, webhookSecret: fake.webhookSecret, client: { id: fake.oauthClient.id, secret: fake.oauthClient.secret }, apiUrl: fake.url });
    expect(() => githubAppFromEnv({ GANTRY_GITHUB_APP_FILE: file, GANTRY_MASTER_KEY: randomBytes(32).toString("base64") })).toThrow(AppFileError);

    // An unknown (or already used) code: GitHub answers 404.
    const again = await form(await start());
    expect((await callback("mc_used", again.state)).status).toBe(502);
  });
});
