// The job's GITHUB_TOKEN and checkout tokens on the control plane, against the fake GitHub: the claim mints a token
// narrowed to the run's repository and the job's `permissions:` (GitHub's rules, read-only for a fork's pull
// request), seals it on the attempt, masks it in what the attempt sends, and asks for its revocation on complete;
// the checkout-token route gives contents:read for repositories of the run's installation only.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DirectoryObjectStore } from "@gantry/storage";
import { FakeGithub } from "@gantry/github/testing";
import { compileWorkflow } from "@gantry/workflow-schema";
import { claimResponse, checkoutTokenResponse, type Assignment } from "@gantry/runner-protocol";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as checkoutTokenRoute } from "../src/app/api/runner/v1/checkout-token/route";
import { POST as claimRoute } from "../src/app/api/runner/v1/claim/route";
import { POST as completeRoute } from "../src/app/api/runner/v1/complete/route";
import { POST as logsRoute } from "../src/app/api/runner/v1/logs/route";
import { readAttemptLog } from "../src/server/logs/read-attempt-log";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { closeRunnerTest, demo, post, readyJob, register } from "./runner-support";
import { DEMO, setupWebTest, stubWebEnv, TEST_REDIS_URL, type WebTestContext } from "./support";

let t: WebTestContext;
let fake: FakeGithub;
const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;
const masterKey = randomBytes(32);
const storage = mkdtempSync(path.join(os.tmpdir(), "gantry-storage-"));
const INSTALLATION = 5151;
const REPO = { id: "repo_gh_tokens", fullName: "acme/app", githubId: 9001 };
const sys = () => t.database.system("test");
const github = () => ({ ctx: demo, repositoryId: REPO.id });

beforeAll(async () => {
  t = await setupWebTest();
  fake = new FakeGithub();
  await fake.start();
  // The installation was granted no `packages`: the default's packages:read is dropped, not refused.
  fake.addInstallation(INSTALLATION, { contents: "write", metadata: "read", issues: "write", pull_requests: "write", checks: "write", actions: "read" });
  fake.addRepository(REPO.fullName, INSTALLATION, REPO.githubId);
  fake.addRepository("acme/lib", INSTALLATION, 9002);
  fake.addInstallation(6262);
  fake.addRepository("other/thing", 6262, 9100);
  stubWebEnv({
    ...t.env,
    GANTRY_QUEUE_PREFIX: prefix,
    GANTRY_MASTER_KEY: masterKey.toString("base64"),
    GANTRY_STORAGE_DIR: storage,
    GANTRY_GITHUB_APP_ID: fake.appId,
    GANTRY_GITHUB_APP_PRIVATE_KEY: fake.privateKeyPem,
    GANTRY_GITHUB_WEBHOOK_SECRET: fake.webhookSecret,
    GANTRY_GITHUB_API_URL: fake.url,
    GANTRY_GITHUB_WEB_URL: `${fake.url}/web`,
  });
  await sys().installation.create({ data: { id: "inst_tokens", tenantId: DEMO.tenantId, githubInstallationId: BigInt(INSTALLATION), accountLogin: "acme", accountType: "Organization" } });
  await sys().repository.create({ data: { id: REPO.id, tenantId: DEMO.tenantId, installationId: "inst_tokens", githubRepoId: BigInt(REPO.githubId), fullName: REPO.fullName } });
});
afterAll(async () => {
  await closeRunnerTest(t, prefix);
  await fake?.stop();
  rmSync(storage, { recursive: true, force: true });
});

async function claim(key: string, run: Parameters<typeof readyJob>[2]): Promise<Assignment> {
  const { runnerId, credential } = await register(t, `r-${key}`);
  await readyJob(t, key, run);
  const assignment = claimResponse.parse(await (await post(claimRoute, credential, { runnerId, waitMs: 0 })).json()).assignment;
  if (!assignment) throw new Error("no assignment");
  return assignment;
}

/** What GitHub remembers the attempt's token may do. */
function grantOf(assignment: Assignment) {
  const token = assignment.run.githubToken;
  if (!token) throw new Error("the claim carried no GITHUB_TOKEN");
  const grant = fake.tokenGrant(token);
  if (!grant) throw new Error("GitHub does not know the token");
  return { permissions: grant.permissions, repositories: grant.repositories ? [...grant.repositories] : null };
}

describe("the job's GITHUB_TOKEN", () => {
  it("defaults to GitHub's restricted set, narrowed to the run's repository, with the server and API URLs", async () => {
    const assignment = await claim("defaults", { tenant: github() });
    expect(assignment.run.source).toBe("github");
    expect(assignment.run.serverUrl).toBe(`${fake.url}/web`);
    expect(assignment.run.apiUrl).toBe(fake.url);
    expect(grantOf(assignment)).toEqual({ permissions: { contents: "read", metadata: "read" }, repositories: [REPO.fullName] });
    const [exchange] = fake.callsTo(new RegExp(`^POST /app/installations/${INSTALLATION}/access_tokens$`)).slice(-1);
    expect(exchange?.body).toEqual({ repository_ids: [REPO.githubId], permissions: { contents: "read", metadata: "read" } });
  });

  it("follows read-all, write-all, {} and a job's block over the workflow's", async () => {
    const readAll = grantOf(await claim("read-all", { tenant: github(), permissions: "read-all" }));
    expect(readAll.permissions).toEqual({ actions: "read", checks: "read", contents: "read", issues: "read", metadata: "read", pull_requests: "read" });
    const writeAll = grantOf(await claim("write-all", { tenant: github(), permissions: "write-all" }));
    // Within what the installation holds: actions only read.
    expect(writeAll.permissions).toEqual({ actions: "read", checks: "write", contents: "write", issues: "write", metadata: "read", pull_requests: "write" });
    expect(grantOf(await claim("empty", { tenant: github(), permissions: {} })).permissions).toEqual({ metadata: "read" });

    const compiled = compileWorkflow("on: push\npermissions: write-all\njobs:\n  build:\n    runs-on: ubuntu-latest\n    permissions:\n      issues: write\n    steps:\n      - run: echo\n", ".gantry/workflows/ci.yml");
    const permissions = compiled.plan?.jobs[0]?.permissions;
    expect(permissions).toEqual({ issues: "write" });
    expect(grantOf(await claim("job-over-workflow", { tenant: github(), permissions })).permissions).toEqual({ issues: "write", metadata: "read" });
  });

  it("follows the tenant's default workflow permissions when the job declares none", async () => {
    const session = { userId: "usr_token_admin", email: "token-admin@example.test", name: "token admin" };
    await sys().user.create({ data: { id: session.userId, email: session.email, name: session.name } });
    await sys().membership.create({ data: { tenantId: DEMO.tenantId, userId: session.userId, role: "ADMIN" } });
    const settings = (value: "READ" | "WRITE") => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues })).tenants.updateSettings({ tenant: DEMO.tenantSlug, defaultTokenPermissions: value });
    await settings("WRITE");
    try {
      // Write to every scope the installation holds as write; a declared block still wins; a fork's run stays read-only.
      expect(grantOf(await claim("tenant-write", { tenant: github() })).permissions).toEqual({ actions: "read", checks: "write", contents: "write", issues: "write", metadata: "read", pull_requests: "write" });
      expect(grantOf(await claim("tenant-write-declared", { tenant: github(), permissions: { issues: "read" } })).permissions).toEqual({ issues: "read", metadata: "read" });
      const fork = grantOf(await claim("tenant-write-fork", { tenant: github(), trusted: false, event: "pull_request", ref: "refs/pull/8/merge" }));
      expect(Object.values(fork.permissions).every((level) => level === "read")).toBe(true);
    } finally {
      await settings("READ");
    }
    expect(grantOf(await claim("tenant-read", { tenant: github() })).permissions).toEqual({ contents: "read", metadata: "read" });
  });

  it("is read-only for a fork's pull request whatever it asks", async () => {
    const assignment = await claim("fork", { tenant: github(), trusted: false, event: "pull_request", ref: "refs/pull/7/merge", permissions: "write-all" });
    expect(Object.values(grantOf(assignment).permissions).every((level) => level === "read")).toBe(true);
  });

  it("is masked in what the attempt sends, sealed at rest, and revoked once the attempt completes", async () => {
    const assignment = await claim("masked", { tenant: github(), permissions: { contents: "write" } });
    const token = assignment.run.githubToken ?? "";
    const attempt = await sys().jobAttempt.findUniqueOrThrow({ where: { id: assignment.attemptId } });
    expect(attempt.githubTokenSealed).not.toBeNull();
    expect(Buffer.from(attempt.githubTokenSealed ?? new Uint8Array()).toString("latin1")).not.toContain(token);
    const stored = await post(logsRoute, assignment.jobToken, { attemptId: assignment.attemptId, seq: 0, stepIndex: 0, timestamp: Date.now(), data: `token=${token}\n` });
    expect(stored.status).toBe(200);
    const log = await readAttemptLog(t.database.forTenant(demo), new DirectoryObjectStore(storage), assignment.attemptId);
    const text = log.chunks.map((chunk) => chunk.text).join("");
    expect(text).toBe("token=***\n");

    const done = await post(completeRoute, assignment.jobToken, { attemptId: assignment.attemptId, conclusion: "SUCCEEDED", outputs: {} });
    expect(done.status).toBe(200);
    const redis = new Redis(TEST_REDIS_URL);
    const queue = new Queue("gantry-github-tokens", { connection: redis, prefix });
    try {
      const job = await queue.getJob(`revoke-token-${assignment.attemptId}`);
      expect(job?.data).toEqual({ tenantId: DEMO.tenantId, attemptId: assignment.attemptId });
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });

  it("a plain git run gets none", async () => {
    const assignment = await claim("plain", {});
    expect(assignment.run.source).toBe("git");
    expect(assignment.run.githubToken).toBeNull();
  });
});

describe("checkout tokens", () => {
  it("contents:read for the run's repository or another of its installation; 404 for anything else", async () => {
    const assignment = await claim("checkout", { tenant: github() });
    const ask = (repository: string, token = assignment.jobToken) => post(checkoutTokenRoute, token, { attemptId: assignment.attemptId, repository });
    const own = checkoutTokenResponse.parse(await (await ask(REPO.fullName)).json());
    expect(own.cloneUrl).toBe(`${fake.url}/web/acme/app.git`);
    expect(fake.tokenGrant(own.token)).toMatchObject({ permissions: { contents: "read", metadata: "read" }, repositories: new Set([REPO.fullName]) });
    const sibling = checkoutTokenResponse.parse(await (await ask("acme/lib")).json());
    expect(fake.tokenGrant(sibling.token)?.repositories).toEqual(new Set(["acme/lib"]));

    const foreign = await ask("other/thing");
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).toContain("not a repository of the GitHub App installation on acme");
    const missing = await ask("acme/missing");
    expect(missing.status).toBe(404);
    expect((await ask(REPO.fullName, "gjt_wrong")).status).toBe(401);

    const plain = await claim("checkout-plain", {});
    const refused = await post(checkoutTokenRoute, plain.jobToken, { attemptId: plain.attemptId, repository: REPO.fullName });
    expect(refused.status).toBe(404);
    expect(await refused.text()).toContain("not a GitHub-connected repository");
  });
});
