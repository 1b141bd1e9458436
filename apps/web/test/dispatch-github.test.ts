// runs.dispatch and runs.dispatchable for a GitHub-connected repository: the branch and the workflow are read
// through the App (a fake GitHub speaking the REST wire format), the delivery records the branch head; with no App
// configured the call is refused and writes nothing.
import { createPrivateKey } from "node:crypto";
import { dispatchRunKey } from "@gantry/jobs";
import { InstallationTokens, type GithubClient } from "@gantry/github";
import { FakeGithub } from "@gantry/github/testing";
import { runId } from "@gantry/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { DEMO, setupWebTest, type WebTestContext } from "./support";

const REPO = { installation: 9301, id: 77301, fullName: "octo-org/service" };
const MANUAL = `name: Release
on:
  workflow_dispatch:
    inputs:
      version: { type: string, required: true }
jobs:
  release:
    runs-on: ubuntu-latest
    steps: [{ run: echo release }]
`;
const sha = "a".repeat(40);
const admin: SessionUser = { userId: DEMO.userId, email: DEMO.email, name: "Demo Admin" };
let t: WebTestContext;
let fake: FakeGithub;
let client: GithubClient;
const repositoryId = "repo_github_dispatch";
const callerFor = (github: (() => GithubClient | null) | undefined) => createCaller(createTRPCContext({ session: admin, database: t.database, redis: t.redis, queues: t.queues, ...(github ? { github } : {}) }));
const deliveries = () => t.database.system("test").webhookDelivery.count({ where: { repositoryId } });

beforeAll(async () => {
  t = await setupWebTest();
  fake = new FakeGithub();
  await fake.start();
  fake.addInstallation(REPO.installation);
  fake.addRepository(REPO.fullName, REPO.installation, REPO.id);
  fake.addCommit(REPO.fullName, REPO.installation, sha, { ".gantry/workflows/release.yml": MANUAL });
  fake.setBranch(REPO.fullName, REPO.installation, "main", sha);
  client = { apiUrl: fake.url, tokens: new InstallationTokens({ appId: fake.appId, privateKey: createPrivateKey(fake.privateKeyPem), apiUrl: fake.url }) };
  const sys = t.database.system("test");
  await sys.installation.create({ data: { id: "inst_dispatch", tenantId: DEMO.tenantId, githubInstallationId: BigInt(REPO.installation), accountLogin: "octo-org", accountType: "Organization" } });
  await sys.repository.create({ data: { id: repositoryId, tenantId: DEMO.tenantId, installationId: "inst_dispatch", githubRepoId: BigInt(REPO.id), fullName: REPO.fullName } });
});
afterAll(async () => {
  await fake?.stop();
  await t?.close();
});

describe("manual runs of a GitHub repository", () => {
  it("lists its dispatchable workflows read through the App", async () => {
    const listed = await callerFor(() => client).runs.dispatchable({ tenant: DEMO.tenantSlug, repositoryId });
    expect(listed).toMatchObject([{ repositoryId, workflowPath: ".gantry/workflows/release.yml", name: "Release", inputs: [{ name: "version", type: "string", required: true }] }]);
  });

  it("records the dispatch at the branch head and returns the run id", async () => {
    const result = await callerFor(() => client).runs.dispatch({ tenant: DEMO.tenantSlug, repositoryId, workflowPath: ".gantry/workflows/release.yml", inputs: { version: "1.2.3" }, idempotencyKey: "gh-click-1" });
    expect(result).toEqual({ runId: runId(DEMO.tenantId, dispatchRunKey(repositoryId, "gh-click-1")), duplicate: false, ref: "refs/heads/main", sha, inputs: { version: "1.2.3" } });
    expect(await deliveries()).toBe(1);
  });

  it("names an unknown branch, and with no App configured refuses without writing", async () => {
    await expect(callerFor(() => client).runs.dispatch({ tenant: DEMO.tenantSlug, repositoryId, workflowPath: ".gantry/workflows/release.yml", ref: "nope", inputs: { version: "1" } })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining('"nope"') });
    await expect(callerFor(() => null).runs.dispatch({ tenant: DEMO.tenantSlug, repositoryId, workflowPath: ".gantry/workflows/release.yml", inputs: { version: "1" } })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: `No GitHub App is configured here, so ${REPO.fullName} cannot be read.`,
    });
    expect(await deliveries()).toBe(1);
  });
});
