// The reconciler finds events whose deliveries never arrived — a dropped push, a pull request — and starts
// their runs, without a second run for what did arrive.
import { createPrivateKey, randomBytes, randomUUID } from "node:crypto";
import { startRunsNow } from "../support/start-runs-now";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, openDatabase, type Database } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { InstallationTokens, syncInstallation } from "@gantry/github";
import { FakeGithub, publishedExamples } from "@gantry/github/testing";
import { reconcileGithubRepositories } from "../../src/intake/github/reconcile";
import type { GithubIntake, GithubIntakeDeps } from "../../src/intake/github/types";
import { processDelivery } from "../../src/intake/process-delivery";

const CI = `name: CI
on: [push, pull_request]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo build
`;
const INSTALLATION = 4242;
const REPO_ID = 880_001;
const FULL_NAME = "acme/api";
const HOUR = 3_600_000;

let testDb: TestDatabase;
let db: Database;
let fake: FakeGithub;
let github: GithubIntake;
let deps: GithubIntakeDeps;
let tenantId: string;
const now = Date.now();
const sha = () => randomBytes(20).toString("hex");

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  fake = new FakeGithub();
  await fake.start();
  fake.addInstallation(INSTALLATION);
  fake.addRepository(FULL_NAME, INSTALLATION, REPO_ID);
  const synced = await syncInstallation(db, {
    name: "installation",
    payload: { action: "created", installation: { id: INSTALLATION, account: { id: 1, login: "acme", type: "Organization" } }, repositories: [{ id: REPO_ID, name: "api", full_name: FULL_NAME, private: true }] },
  });
  tenantId = synced.tenantId ?? "";
  await db.system("test setup").runnerPool.create({ data: { id: "pool", tenantId, name: "default", labels: ["ubuntu-latest"], provider: "PROCESS", registrationTokenHash: "x" } });
  github = { apiUrl: fake.url, tokens: new InstallationTokens({ appId: fake.appId, privateKey: createPrivateKey(fake.privateKeyPem), apiUrl: fake.url }) };
  deps = { db, startRun: startRunsNow(db), gitCacheDir: path.join(os.tmpdir(), "gantry-git-cache-test"), github };
});
afterAll(async () => {
  await fake?.stop();
  await db?.close();
  await testDb?.drop();
});

const runs = () => db.forTenant({ tenantId, actor: { kind: "SYSTEM" } }).workflowRun.findMany({ orderBy: { runNumber: "asc" } });

function pushDelivery(ref: string, after: string) {
  const base = publishedExamples("push").find((payload) => payload.ref === "refs/heads/master" && payload.installation !== undefined) ?? {};
  const payload = { ...base, ref, after, before: sha(), created: false, deleted: false, forced: false, commits: [], head_commit: { ...(base.head_commit as object), id: after }, repository: { ...(base.repository as object), id: REPO_ID, full_name: FULL_NAME, name: "api" }, installation: { id: INSTALLATION } };
  return intake.recordDelivery(db.sql("test"), { deliveryId: randomUUID(), source: "github", event: "push", payload: JSON.parse(JSON.stringify(payload)) });
}

describe("reconciling missed GitHub deliveries", () => {
  it("starts the runs of a dropped push and an unseen pull request, once, and not those that arrived or are old", async () => {
    const delivered = sha();
    const dropped = sha();
    const old = sha();
    const forkHead = sha();
    const stalePr = sha();
    for (const [commit, age] of [[delivered, 0.1], [dropped, 0.2], [old, 48], [forkHead, 0.3], [stalePr, 50]] as const) {
      fake.addCommit(FULL_NAME, INSTALLATION, commit, { ".gantry/workflows/ci.yml": CI }, new Date(now - age * HOUR));
    }
    fake.setBranch(FULL_NAME, INSTALLATION, "main", delivered);
    fake.setBranch(FULL_NAME, INSTALLATION, "feature", dropped);
    fake.setBranch(FULL_NAME, INSTALLATION, "ancient", old);
    fake.setPullRequest(FULL_NAME, INSTALLATION, { number: 3, headSha: forkHead, headRef: "patch", baseRef: "main", headRepo: { id: 990_001, full_name: "mallory/api", fork: true }, updatedAt: new Date(now - 0.3 * HOUR) });
    fake.setPullRequest(FULL_NAME, INSTALLATION, { number: 4, headSha: stalePr, headRef: "stale", baseRef: "main", headRepo: { id: REPO_ID, full_name: FULL_NAME, fork: false }, updatedAt: new Date(now - 50 * HOUR) });

    // The push to main arrived; the push to feature was dropped.
    const { id } = await pushDelivery("refs/heads/main", delivered);
    expect((await processDelivery(deps, id))?.outcome).toBe("PROCESSED");
    expect(await runs()).toHaveLength(1);

    const report = await reconcileGithubRepositories(deps, github, new Date(now - HOUR));
    expect(report).toMatchObject({ repositories: 1, created: 2 });
    const after = await runs();
    expect(after.map((run) => [run.event, run.ref, run.sha, run.trusted])).toEqual([
      ["push", "refs/heads/main", delivered, true],
      ["push", "refs/heads/feature", dropped, true],
      ["pull_request", "refs/pull/3/head", forkHead, false],
    ]);

    // Reconciling again, or the dropped delivery turning up late, makes nothing new.
    expect((await reconcileGithubRepositories(deps, github, new Date(now - HOUR))).created).toBe(0);
    const late = await pushDelivery("refs/heads/feature", dropped);
    expect((await processDelivery(deps, late.id))?.runs).toEqual([expect.objectContaining({ created: false })]);
    expect(await runs()).toHaveLength(3);
    expect(fake.callsTo(/^GET \/repos\/acme\/api\/(branches|commits|pulls)$/).every((call) => call.status === 200)).toBe(true);
  });

  it("skips repositories of a suspended installation", async () => {
    await syncInstallation(db, { name: "installation", payload: { action: "suspend", installation: { id: INSTALLATION, account: { id: 1, login: "acme", type: "Organization" } } } });
    expect(await reconcileGithubRepositories(deps, github, new Date(now - HOUR))).toMatchObject({ repositories: 0, created: 0 });
  });
});
