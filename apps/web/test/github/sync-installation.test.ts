// "Sync now" (issue #16): repositories.syncInstallation re-reads an installation's repositories through the App
// from the fake GitHub, connects the new ones and detaches those it no longer reaches, as the installation webhooks
// would; one audit entry names who asked.
import { createPrivateKey } from "node:crypto";
import { InstallationTokens, type GithubClient } from "@gantry/github";
import { FakeGithub } from "@gantry/github/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../../src/server/auth";
import { DEMO, setupWebTest, type WebTestContext } from "../support";
import { auditOf, callerFor, member, rejection } from "../trpc-support";

let t: WebTestContext;
let fake: FakeGithub;
let client: GithubClient;
let admin: SessionUser;
const INSTALLATION = 7373;
const tenant = DEMO.tenantSlug;
const sys = () => t.database.system("test");

beforeAll(async () => {
  t = await setupWebTest();
  fake = new FakeGithub();
  await fake.start();
  fake.addInstallation(INSTALLATION);
  fake.addRepository("acme/api", INSTALLATION, 501);
  fake.addRepository("acme/web", INSTALLATION, 502);
  client = { apiUrl: fake.url, tokens: new InstallationTokens({ appId: fake.appId, privateKey: createPrivateKey(fake.privateKeyPem), apiUrl: fake.url }) };
  admin = await member(t, "ADMIN");
  await sys().installation.create({ data: { id: "inst_sync", tenantId: DEMO.tenantId, githubInstallationId: BigInt(INSTALLATION), accountLogin: "acme", accountType: "Organization" } });
  // Connected before, but no longer reachable by the installation (its removal webhook was missed).
  await sys().repository.create({ data: { id: "repo_gone", tenantId: DEMO.tenantId, installationId: "inst_sync", githubRepoId: 599n, fullName: "acme/gone" } });
});
afterAll(async () => {
  await fake?.stop();
  await t?.close();
});

describe("repositories.syncInstallation", () => {
  it("connects what the installation reaches, detaches what it no longer does, and audits it", async () => {
    const synced = await callerFor(t, admin, { github: () => client }).repositories.syncInstallation({ tenant, installationId: "inst_sync" });
    expect(synced).toEqual({ account: "acme", repositories: 2, added: ["acme/api", "acme/web"], removed: ["acme/gone"] });
    const rows = await sys().repository.findMany({ where: { tenantId: DEMO.tenantId, fullName: { startsWith: "acme/" } }, orderBy: { fullName: "asc" } });
    expect(rows.map((row) => [row.fullName, row.installationId, row.readGithubWorkflows])).toEqual([
      ["acme/api", "inst_sync", true],
      ["acme/gone", null, false],
      ["acme/web", "inst_sync", true],
    ]);
    expect(fake.callsTo(/^GET \/installation\/repositories/).length).toBeGreaterThan(0);
    expect((await auditOf(t, "github.installation.synced")).at(-1)).toMatchObject({ actorId: admin.userId, data: { account: "acme", added: ["acme/api", "acme/web"], removed: ["acme/gone"] } });
    // The repositories page lists the installation (for its Configure link and Sync button).
    expect((await callerFor(t, admin).repositories.list({ tenant })).installations).toEqual([{ id: "inst_sync", account: "acme", accountType: "Organization", githubInstallationId: String(INSTALLATION), suspended: false }]);
    // Again: nothing new.
    expect(await callerFor(t, admin, { github: () => client }).repositories.syncInstallation({ tenant, installationId: "inst_sync" })).toMatchObject({ added: [], removed: [] });
  });

  it("says why it cannot: no App, an unknown installation, a role below admin", async () => {
    expect((await rejection(callerFor(t, admin).repositories.syncInstallation({ tenant, installationId: "inst_sync" }))).message).toContain("No GitHub App is configured");
    expect((await rejection(callerFor(t, admin, { github: () => client }).repositories.syncInstallation({ tenant, installationId: "inst_other" }))).code).toBe("NOT_FOUND");
    for (const role of ["VIEWER", "DEVELOPER", "MAINTAINER"] as const) {
      expect((await rejection(callerFor(t, await member(t, role), { github: () => client }).repositories.syncInstallation({ tenant, installationId: "inst_sync" }))).code).toBe("FORBIDDEN");
    }
  });
});
