// Scheduled runs against real Postgres, Redis (BullMQ job schedulers) and git: syncing on default-branch
// pushes, ticks at the default branch's head, one run per firing, and rebuilding Redis from Postgres.
import { startRunsNow } from "../support/start-runs-now";
import os from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { jobCatalog, Queues } from "@gantry/jobs";
import { FairScheduler } from "@gantry/scheduler";
import { parseWorkerEnv } from "../../src/env";
import type { IntakeDeps } from "../../src/intake/process-git-push";
import { makeReadyHandler } from "@gantry/engine";
import { listJobSchedulers, rebuildJobSchedulers } from "../../src/intake/schedules/job-schedulers";
import { schedulerKeyOf } from "../../src/intake/schedules/schedule-keys";
import { runScheduleTick } from "../../src/intake/schedules/schedule-tick";
import { startWorker } from "../../src/worker";
import { GitFixture } from "../git-fixture";
import { notifyPush, seedGitRepository } from "../git-repository-seed";
import { testRedis, TEST_REDIS_URL as REDIS_URL } from "@gantry/testing";

const keys = testRedis("schedules");
const { prefix } = keys;
const repositoryId = "repo_sched";
const seeded = { tenantId: "ten_sched", repositoryId, fullName: "sched/hello" };
const NIGHTLY = ".gantry/workflows/nightly.yml";

/** A workflow with the given crons; its jobs say which cron fired them through `github.event.schedule`. */
const nightly = (crons: string[], extraTrigger = "") => `name: Nightly
on:
${extraTrigger}  schedule:
${crons.map((cron) => `    - cron: "${cron}"`).join("\n")}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo nightly
  only-at-three:
    if: github.event.schedule == '0 3 * * *'
    runs-on: ubuntu-latest
    steps:
      - run: echo three
`;

let testDb: TestDatabase;
let db: Database;
let redis: Redis;
let queues: Queues;
let scheduler: FairScheduler;
let repo: GitFixture;
let deps: IntakeDeps;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  redis = keys.connect({ maxRetriesPerRequest: null });
  queues = new Queues(redis, prefix);
  scheduler = new FairScheduler({ redis: keys.connect(), prefix });
  repo = new GitFixture();
  const ready = makeReadyHandler(db, scheduler);
  deps = { db, startRun: startRunsNow(db, (ctx) => ({ onReady: (ids) => ready(ctx, ids) })), gitCacheDir: path.join(os.tmpdir(), "gantry-git-cache-test"), queues };
  await seedGitRepository(db, seeded, repo.bare);
});
afterAll(async () => {
  await queues.close();
  await keys.close();
  await db.close();
  await testDb.drop();
  repo.remove();
});

async function push(files: Record<string, string>, branch = "main") {
  const commit = repo.commit(files, branch);
  await notifyPush(deps, seeded, `refs/heads/${branch}`, commit);
  return commit;
}

const rows = async () =>
  (await db.system("test").workflowSchedule.findMany({ where: { repositoryId }, orderBy: { cron: "asc" } })).map((row) => ({ path: row.workflowPath, cron: row.cron, sha: row.sha, key: row.schedulerKey }));
const schedulers = async () => [...(await listJobSchedulers(queues)).entries()].sort();
const scheduledRuns = () => db.system("test").workflowRun.findMany({ where: { repositoryId, event: "schedule" }, include: { jobs: true }, orderBy: { createdAt: "asc" } });
const keyOf = (cron: string) => schedulerKeyOf(repositoryId, { workflowPath: NIGHTLY, cron });

describe("schedule sync on pushes", () => {
  it("a push to the default branch adds, changes and removes schedules in Postgres and BullMQ", async () => {
    const first = await push({ [NIGHTLY]: nightly(["0 3 * * *"]) });
    expect(await rows()).toEqual([{ path: NIGHTLY, cron: "0 3 * * *", sha: first.after, key: keyOf("0 3 * * *") }]);
    expect(await schedulers()).toEqual([[keyOf("0 3 * * *"), "0 3 * * *"]]);

    const changed = await push({ [NIGHTLY]: nightly(["0 3 * * *", "30 4 * * 1"]) });
    expect((await rows()).map((row) => [row.cron, row.sha])).toEqual([
      ["0 3 * * *", changed.after],
      ["30 4 * * 1", changed.after],
    ]);
    expect(await schedulers()).toEqual(
      [
        [keyOf("0 3 * * *"), "0 3 * * *"],
        [keyOf("30 4 * * 1"), "30 4 * * 1"],
      ].sort(),
    );

    await push({ [NIGHTLY]: nightly(["0 3 * * *"], "  push:\n") });
    expect((await rows()).map((row) => row.cron)).toEqual(["0 3 * * *"]);
    expect(await schedulers()).toEqual([[keyOf("0 3 * * *"), "0 3 * * *"]]);
  });

  it("a late notification of an older default-branch push does not bring back its crons", async () => {
    const older = repo.commit({ [NIGHTLY]: nightly(["10 2 * * *"]) });
    const newer = repo.commit({ [NIGHTLY]: nightly(["0 3 * * *"]) });
    await notifyPush(deps, seeded, "refs/heads/main", newer);
    await notifyPush(deps, seeded, "refs/heads/main", older);
    expect((await rows()).map((row) => [row.cron, row.sha])).toEqual([["0 3 * * *", newer.after]]);
    expect(await schedulers()).toEqual([[keyOf("0 3 * * *"), "0 3 * * *"]]);
  });

  it("a push to another branch changes no schedule", async () => {
    const before = await rows();
    const main = repo.git(repo.bare, "rev-parse", "refs/heads/main");
    repo.checkout("feature");
    await push({ [NIGHTLY]: nightly(["15 1 * * *"]) }, "feature");
    repo.git(repo.work, "checkout", "--quiet", "-B", "main", main);
    expect(await rows()).toEqual(before);
    expect(await schedulers()).toEqual([[keyOf("0 3 * * *"), "0 3 * * *"]]);
  });
});

describe("schedule ticks", () => {
  it("a firing runs the workflow at the default branch's head, once, however often and wherever it fires", async () => {
    // A commit the intake never heard of: the tick still runs the latest commit, as GitHub does.
    const head = repo.commit({ "src/app.ts": "unannounced" });
    const tickAt = new Date("2026-11-28T03:00:00.000Z");
    const payload = { repositoryId, workflowPath: NIGHTLY, cron: "0 3 * * *" };
    const secondDeps: IntakeDeps = { ...deps, db: openDatabase(testDb.url) };
    try {
      const outcomes = await Promise.all([runScheduleTick(deps, payload, tickAt), runScheduleTick(secondDeps, payload, tickAt), runScheduleTick(deps, payload, tickAt)]);
      expect(outcomes.map((outcome) => outcome.outcome).sort()).toEqual(["CREATED", "EXISTS", "EXISTS"]);
    } finally {
      await secondDeps.db.close();
    }
    const [run, ...others] = await scheduledRuns();
    expect(others).toEqual([]);
    expect(run).toMatchObject({
      idempotencyKey: `schedule:${repositoryId}:${NIGHTLY}:0 3 * * *:2026-11-28T03:00:00.000Z`,
      ref: "refs/heads/main",
      sha: head.after,
      trusted: true,
      workflowName: "Nightly",
    });
    // Schedule is the lowest priority class (rank 3 of deploy, pull_request, push, schedule).
    const build = run?.jobs.find((job) => job.key === "build");
    expect(build).toMatchObject({ status: "WAITING", priority: 3 });
    // github.event.schedule is the cron that fired.
    expect(run?.jobs.find((job) => job.key === "only-at-three")?.status).toBe("WAITING");

    // The next firing is another run.
    expect((await runScheduleTick(deps, payload, new Date("2026-11-29T03:00:00.000Z"))).outcome).toBe("CREATED");
    expect(await scheduledRuns()).toHaveLength(2);
  });

  it("the other cron of the same workflow is told apart by github.event.schedule", async () => {
    await push({ [NIGHTLY]: nightly(["0 3 * * *", "30 4 * * 1"]) });
    const result = await runScheduleTick(deps, { repositoryId, workflowPath: NIGHTLY, cron: "30 4 * * 1" }, new Date("2026-11-30T04:30:00.000Z"));
    expect(result.outcome).toBe("CREATED");
    const run = (await scheduledRuns()).find((candidate) => candidate.id === result.runId);
    expect(run?.jobs.find((job) => job.key === "only-at-three")?.status).toBe("SKIPPED");
    expect(run?.jobs.find((job) => job.key === "build")?.status).toBe("WAITING");
  });

  it("a cron that the head no longer has makes no run and is re-synced away", async () => {
    // Changed on main without a notification: the tick finds out.
    repo.commit({ [NIGHTLY]: nightly(["0 3 * * *"]) });
    const before = (await scheduledRuns()).length;
    const result = await runScheduleTick(deps, { repositoryId, workflowPath: NIGHTLY, cron: "30 4 * * 1" }, new Date("2026-12-07T04:30:00.000Z"));
    expect(result.outcome).toBe("STALE");
    expect(await scheduledRuns()).toHaveLength(before);
    expect((await rows()).map((row) => row.cron)).toEqual(["0 3 * * *"]);
    expect(await schedulers()).toEqual([[keyOf("0 3 * * *"), "0 3 * * *"]]);
  });

  it("a removed workflow stops its schedule", async () => {
    repo.git(repo.work, "rm", "--quiet", NIGHTLY);
    await push({ "src/app.ts": "workflow removed" });
    expect(await rows()).toEqual([]);
    expect(await schedulers()).toEqual([]);
    const before = (await scheduledRuns()).length;
    const result = await runScheduleTick(deps, { repositoryId, workflowPath: NIGHTLY, cron: "0 3 * * *" }, new Date("2026-12-08T03:00:00.000Z"));
    expect(result).toMatchObject({ outcome: "STALE", reason: "no such schedule any more" });
    expect(await scheduledRuns()).toHaveLength(before);
  });
});

describe("rebuilding from Postgres", () => {
  it("after Redis loses every key, the job schedulers come back from the rows; unbacked ones are removed", async () => {
    await push({ [NIGHTLY]: nightly(["0 3 * * *", "45 23 * * *"]) });
    const wanted = await schedulers();
    expect(wanted).toHaveLength(2);
    // Every key of this test's prefix (FLUSHALL would also wipe the other tests sharing this Redis).
    await redis.del(...(await keys.keys()));
    expect(await schedulers()).toEqual([]);
    await queues.queue(jobCatalog["schedule-tick"].queue).upsertJobScheduler("schedule-unbacked", { pattern: "0 0 * * *", tz: "UTC" }, { name: "schedule-tick", data: {} });

    expect(await rebuildJobSchedulers(db, queues)).toEqual({ registered: 2, removed: 1 });
    expect(await schedulers()).toEqual(wanted);
    expect(await rebuildJobSchedulers(db, queues)).toEqual({ registered: 0, removed: 0 });
  });
});

describe("a started worker", () => {
  it("rebuilds the job schedulers from Postgres on start, and a firing runs at its scheduled time, not when it is processed", async () => {
    const workerKeys = testRedis("schedules-worker");
    const workerPrefix = workerKeys.prefix;
    // One queue reconciliation, at start: it puts every scheduler back to its row's cron, so the override below
    // must come after it, and the next one must not come during the test.
    const env = parseWorkerEnv({ DATABASE_URL: testDb.url, REDIS_URL, GANTRY_QUEUE_PREFIX: workerPrefix, GANTRY_WORKER_ID: workerPrefix, GANTRY_RECONCILE_INTERVAL_MS: "3600000" });
    const worker = await startWorker(env, () => undefined);
    try {
      const backed = (await rows()).map((row) => [row.key, row.cron]).sort();
      expect(backed).toHaveLength(2);
      expect([...(await listJobSchedulers(worker.queues)).entries()].sort()).toEqual(backed);
      const maintenance = worker.queues.queue(jobCatalog["reconcile-queues"].queue);
      const reconciled = async () => (await maintenance.getJobs(["completed"])).some((job) => job.name === "reconcile-queues");
      const reconcileDeadline = Date.now() + 30_000;
      while (!(await reconciled())) {
        if (Date.now() > reconcileDeadline) throw new Error("the worker's first queue reconciliation did not finish");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      // The same schedule, firing every second instead of at 03:00, through BullMQ's own job scheduler.
      const started = Date.now();
      const payload = { repositoryId, workflowPath: NIGHTLY, cron: "0 3 * * *" };
      const tickQueue = worker.queues.queue(jobCatalog["schedule-tick"].queue);
      await tickQueue.upsertJobScheduler(keyOf("0 3 * * *"), { pattern: "* * * * * *", tz: "UTC" }, { name: "schedule-tick", data: payload });
      const prefixOfKey = `schedule:${repositoryId}:${NIGHTLY}:0 3 * * *:`;
      const deadline = Date.now() + 30_000;
      let fired: string[] = [];
      while (fired.length === 0) {
        if (Date.now() > deadline) throw new Error("no scheduled run was made by the job scheduler");
        await new Promise((resolve) => setTimeout(resolve, 100));
        fired = (await scheduledRuns()).map((run) => run.idempotencyKey).filter((key) => key.startsWith(prefixOfKey) && Date.parse(key.slice(prefixOfKey.length)) >= started);
      }
      await tickQueue.removeJobScheduler(keyOf("0 3 * * *"));
      // A per-second cron fires on whole seconds: the key carries that instant, not the moment a worker got to it.
      for (const key of fired) expect(key).toMatch(/:\d{2}\.000Z$/);
    } finally {
      await worker.stop();
      await workerKeys.close();
    }
  });
});
