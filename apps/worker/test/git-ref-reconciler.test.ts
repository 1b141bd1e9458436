// Missed push notifications of a plain-git repository: pushes whose notification was dropped (the hook never
// told Gantry) are found by comparing refs, started once, and not again when the notification arrives late.
import { startRunsNow } from "./support/start-runs-now";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { parseWorkerEnv } from "../src/env";
import type { IntakeDeps } from "../src/intake/process-git-push";
import { reconcileGitRefs } from "../src/jobs/reconcile-git-refs";
import { startWorker } from "../src/worker";
import { GitFixture } from "./git-fixture";
import { notifyPush, seedGitRepository } from "./git-repository-seed";
import { testRedis, TEST_REDIS_URL as REDIS_URL } from "@gantry/testing";

const repositoryId = "repo_refs";
const seeded = { tenantId: "ten_refs", repositoryId, fullName: "refs/hello" };
const CI = `name: CI
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo build
`;
const NIGHTLY = `name: Nightly
on:
  schedule:
    - cron: "0 3 * * *"
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo nightly
`;

let testDb: TestDatabase;
let db: Database;
let repo: GitFixture;
let deps: IntakeDeps;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  repo = new GitFixture();
  deps = { db, startRun: startRunsNow(db), gitCacheDir: path.join(os.tmpdir(), "gantry-git-cache-test") };
  await seedGitRepository(db, seeded, repo.bare);
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
  repo.remove();
});

const runsAt = (sha: string) => db.system("test").workflowRun.findMany({ where: { repositoryId, sha } });
const states = async () => Object.fromEntries((await db.system("test").gitRefState.findMany({ where: { repositoryId } })).map((state) => [state.ref, state.sha]));

const notify = (ref: string, push: { before: string; after: string }) => notifyPush(deps, seeded, ref, push);

describe("the plain-git ref reconciler", () => {
  it("takes a baseline the first time it sees a repository: every ref recorded, nothing run", async () => {
    const first = repo.commit({ ".gantry/workflows/ci.yml": CI });
    const report = await reconcileGitRefs(deps);
    expect(report).toMatchObject({ repositories: 1, baselined: 1, moved: [], runs: [], errors: [] });
    expect(await states()).toEqual({ "refs/heads/main": first.after });
    expect(await runsAt(first.after)).toEqual([]);
  });

  it("starts the run of a push whose notification was dropped, once, and the late notification makes no second run", async () => {
    const dropped = repo.commit({ "src/app.ts": "1" });
    const report = await reconcileGitRefs(deps);
    expect(report.moved).toEqual(["refs/hello refs/heads/main"]);
    expect(report.runs.map((run) => run.created)).toEqual([true]);
    const [run, ...others] = await runsAt(dropped.after);
    expect(others).toEqual([]);
    expect(run).toMatchObject({ event: "push", ref: "refs/heads/main", idempotencyKey: `push:${repositoryId}:refs/heads/main:${dropped.after}:.gantry/workflows/ci.yml`, triggeredBy: "reconciler" });
    expect(await states()).toEqual({ "refs/heads/main": dropped.after });

    expect(await reconcileGitRefs(deps)).toMatchObject({ moved: [], runs: [] });
    const late = await notify("refs/heads/main", dropped);
    expect(late?.runs.map((entry) => entry.created)).toEqual([false]);
    expect(await runsAt(dropped.after)).toHaveLength(1);
  });

  it("a notification that did arrive leaves nothing for the reconciler", async () => {
    const delivered = repo.commit({ "src/app.ts": "2" });
    await notify("refs/heads/main", delivered);
    expect(await states()).toEqual({ "refs/heads/main": delivered.after });
    expect(await reconcileGitRefs(deps)).toMatchObject({ moved: [], runs: [] });
    expect(await runsAt(delivered.after)).toHaveLength(1);
  });

  it("a new branch pushed silently runs as a new ref; deleted, it is forgotten", async () => {
    const main = repo.git(repo.bare, "rev-parse", "refs/heads/main");
    repo.checkout("feature");
    const feature = repo.commit({ "src/feature.ts": "1" }, "feature");
    repo.git(repo.work, "checkout", "--quiet", "-B", "main", main);
    const report = await reconcileGitRefs(deps);
    expect(report.moved).toEqual(["refs/hello refs/heads/feature"]);
    expect((await runsAt(feature.after)).map((run) => run.ref)).toEqual(["refs/heads/feature"]);
    expect(await states()).toMatchObject({ "refs/heads/feature": feature.after });

    repo.git(repo.work, "push", "--quiet", repo.bare, ":refs/heads/feature");
    const deletion = await reconcileGitRefs(deps);
    expect(deletion).toMatchObject({ moved: ["refs/hello refs/heads/feature"], runs: [] });
    expect(await states()).toEqual({ "refs/heads/main": main });
    expect(await runsAt(feature.after)).toHaveLength(1);
  });

  it("a silent push to the default branch syncs its schedules", async () => {
    const pushed = repo.commit({ ".gantry/workflows/nightly.yml": NIGHTLY });
    await reconcileGitRefs(deps);
    const rows = await db.system("test").workflowSchedule.findMany({ where: { repositoryId } });
    expect(rows.map((row) => [row.workflowPath, row.cron, row.sha])).toEqual([[".gantry/workflows/nightly.yml", "0 3 * * *", pushed.after]]);
  });

  it("runs as a periodic job of a started worker", async () => {
    const keys = testRedis("git-refs");
    const { prefix } = keys;
    const env = parseWorkerEnv({ DATABASE_URL: testDb.url, REDIS_URL, GANTRY_QUEUE_PREFIX: prefix, GANTRY_WORKER_ID: prefix, GANTRY_GIT_REF_RECONCILE_INTERVAL_MS: "1000" });
    const worker = await startWorker(env, () => undefined);
    try {
      const dropped = repo.commit({ "src/app.ts": "3" });
      const deadline = Date.now() + 30_000;
      while ((await runsAt(dropped.after)).length === 0) {
        if (Date.now() > deadline) throw new Error("the ref reconciler did not start the dropped push's run");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await runsAt(dropped.after)).toHaveLength(1);
    } finally {
      await worker.stop();
      await keys.close();
    }
  });
});
