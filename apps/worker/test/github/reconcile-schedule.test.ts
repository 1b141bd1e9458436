// Missed deliveries are looked for on a schedule: the worker registers the reconcile-github job scheduler when an
// App is configured (and removes it when none can be: periodic-jobs.ts), a tick runs what never arrived against the fake GitHub,
// and each tick looks back from the last successful one (a bounded window when Redis has no mark).
import { randomBytes } from "node:crypto";
import { startRunsNow } from "../support/start-runs-now";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@gantry/db";
import type { TestDatabase } from "@gantry/db/testing";
import type { FakeGithub } from "@gantry/github/testing";
import { Queues } from "@gantry/jobs";
import { parseWorkerEnv, type WorkerEnv } from "../../src/env";
import { reconcileGithubTick, reconcileMarkKey } from "../../src/jobs/reconcile-github";
import { periodicJobs, upsertPeriodicJobs } from "../../src/periodic-jobs";
import { startWorker } from "../../src/worker";
import { githubTestbed, until, type GithubTestbed } from "./github-testbed";
import { TEST_REDIS_URL as REDIS_URL } from "@gantry/testing";

const CI = `name: CI
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo build
`;
const INSTALLATION = 51_001;
const REPO_ID = 751_001;
const FULL_NAME = "octo/reconciled";
const HOUR = 3_600_000;

let testDb: TestDatabase;
let db: Database;
let fake: FakeGithub;
let redis: Redis;
let tenantId: string;
const sha = () => randomBytes(20).toString("hex");
const prefix = () => `gantry-test-${randomBytes(4).toString("hex")}`;
const runsAt = (commit: string) => db.forTenant({ tenantId, actor: { kind: "SYSTEM" } }).workflowRun.findMany({ where: { sha: commit } });

let testbed: GithubTestbed;

beforeAll(async () => {
  testbed = await githubTestbed({ installation: INSTALLATION, id: REPO_ID, fullName: FULL_NAME });
  ({ testDb, db, fake, tenantId } = testbed);
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  redis?.disconnect();
  await testbed?.close();
});

describe("scheduled reconcile-github", () => {
  it("the worker registers the job scheduler with an App, and a tick starts the run whose push never arrived", async () => {
    const missed = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, missed, { ".gantry/workflows/ci.yml": CI }, new Date(Date.now() - 0.1 * HOUR));
    fake.setBranch(FULL_NAME, INSTALLATION, "main", missed);
    const queuePrefix = prefix();
    const env = parseWorkerEnv({
      DATABASE_URL: testDb.url,
      REDIS_URL,
      GANTRY_QUEUE_PREFIX: queuePrefix,
      GANTRY_WORKER_ID: queuePrefix,
      GANTRY_GITHUB_APP_ID: fake.appId,
      GANTRY_GITHUB_APP_PRIVATE_KEY: fake.privateKeyPem,
      GANTRY_GITHUB_WEBHOOK_SECRET: fake.webhookSecret,
      GANTRY_GITHUB_API_URL: fake.url,
      GANTRY_GITHUB_RECONCILE_INTERVAL_MS: "60000",
    });
    const worker = await startWorker(env, () => undefined);
    try {
      const scheduler = await worker.queues.queue("gantry-github-reconcile").getJobScheduler("reconcile-github");
      expect(scheduler).toMatchObject({ name: "reconcile-github", every: 60_000 });
      const [run] = await until("the missed push's run", async () => {
        const found = await runsAt(missed);
        return found.length > 0 && found;
      });
      expect(run).toMatchObject({ event: "push", ref: "refs/heads/main", triggeredBy: "reconciler" });
      // The tick ends by marking its success: the next one looks back from here.
      await until("the tick's mark", async () => Number(await redis.get(reconcileMarkKey(queuePrefix))) > 0);
    } finally {
      await worker.stop();
    }
  });

  it("without an App the scheduler is removed, and a tick has nothing to do", async () => {
    const queuePrefix = prefix();
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queues = new Queues(connection, queuePrefix);
    const base = { intake: { db, startRun: startRunsNow(db), gitCacheDir: os.tmpdir(), github: null }, redis, prefix: queuePrefix, lookbackMs: HOUR };
    const withApp = parseWorkerEnv({ DATABASE_URL: testDb.url, REDIS_URL, GANTRY_GITHUB_APP_ID: fake.appId, GANTRY_GITHUB_APP_PRIVATE_KEY: fake.privateKeyPem, GANTRY_GITHUB_WEBHOOK_SECRET: fake.webhookSecret, GANTRY_GITHUB_RECONCILE_INTERVAL_MS: "60000" });
    const without = parseWorkerEnv({ DATABASE_URL: testDb.url, REDIS_URL });
    const only = (env: WorkerEnv) => periodicJobs(env).filter((job) => job.name === "reconcile-github");
    try {
      await upsertPeriodicJobs(queues, only(withApp));
      expect(await queues.queue("gantry-github-reconcile").getJobScheduler("reconcile-github")).toMatchObject({ every: 60_000 });
      await upsertPeriodicJobs(queues, only(without));
      expect(await queues.queue("gantry-github-reconcile").getJobScheduler("reconcile-github")).toBeFalsy();
      expect(await reconcileGithubTick(base)).toEqual({ skipped: "no GitHub App is configured" });
    } finally {
      await queues.close();
      connection.disconnect();
    }
  });

  it("looks back from the last successful tick minus a margin, or a bounded window when there is no mark", async () => {
    const old = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, old, { ".gantry/workflows/ci.yml": CI }, new Date(Date.now() - 2 * HOUR));
    fake.setBranch(FULL_NAME, INSTALLATION, "old-work", old);
    const { github } = testbed;
    const queuePrefix = prefix();
    const deps = { intake: { db, startRun: startRunsNow(db), gitCacheDir: path.join(os.tmpdir(), "gantry-git-cache-test"), github }, redis, prefix: queuePrefix, lookbackMs: HOUR };

    const first = await reconcileGithubTick(deps);
    expect(first).toMatchObject({ failed: 0 });
    expect("since" in first && Date.now() - first.since.getTime()).toBeGreaterThanOrEqual(HOUR);
    expect(await runsAt(old)).toHaveLength(0);

    // The last success was three hours ago (the worker was down): the two-hour-old push is looked at now.
    await redis.set(reconcileMarkKey(queuePrefix), String(Date.now() - 3 * HOUR));
    const second = await reconcileGithubTick(deps);
    expect(second).toMatchObject({ failed: 0, created: 1 });
    expect(await runsAt(old)).toEqual([expect.objectContaining({ ref: "refs/heads/old-work", triggeredBy: "reconciler" })]);
    expect(Date.now() - Number(await redis.get(reconcileMarkKey(queuePrefix)))).toBeLessThan(HOUR);
  });
});
