import { randomBytes } from "node:crypto";
import { startRunsNow } from "./support/start-runs-now";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, openDatabase, type Database } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { parseWorkerEnv } from "../src/env";
import { processDelivery } from "../src/intake/process-delivery";
import { startWorker } from "../src/worker";
import { GitFixture } from "./git-fixture";
import { testRedis, TEST_REDIS_URL as REDIS_URL } from "@gantry/testing";

const CI = `name: CI
on:
  push:
    branches: [main]
    paths-ignore: ["docs/**"]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo build
  test:
    needs: build
    runs-on: ubuntu-latest
    strategy:
      matrix:
        node: [20, 22]
    steps:
      - run: echo test \${{ matrix.node }}
`;

let testDb: TestDatabase;
let db: Database;
let repo: GitFixture;
const tenantId = "ten_intake";
const repositoryId = "repo_intake";
const deps = () => ({ db, startRun: startRunsNow(db), gitCacheDir: path.join(os.tmpdir(), "gantry-git-cache-test") });

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  repo = new GitFixture();
  const sys = db.system("test setup");
  await sys.tenant.create({ data: { id: tenantId, slug: "intake", name: "Intake" } });
  await sys.gitSource.create({ data: { id: "src", tenantId, name: "local", url: repo.bare, notifySecretCiphertext: new Uint8Array() } });
  await sys.repository.create({ data: { id: repositoryId, tenantId, fullName: "intake/hello", gitSourceId: "src" } });
  await sys.runnerPool.create({ data: { id: "pool", tenantId, name: "default", labels: ["ubuntu-latest"], provider: "PROCESS", registrationTokenHash: "x" } });
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
  repo.remove();
});

async function deliver(push: { before: string; after: string }, ref = "refs/heads/main", deliveryId = randomBytes(8).toString("hex")) {
  const { id } = await intake.recordDelivery(db.sql("test"), {
    deliveryId,
    source: "git",
    event: "push",
    tenantId,
    repositoryId,
    payload: { repository: "intake/hello", ref, ...push },
  });
  return id;
}

const runsAt = (sha: string) => db.forTenant({ tenantId, actor: { kind: "SYSTEM" } }).workflowRun.findMany({ where: { sha }, include: { jobs: true } });

describe("plain-git intake", () => {
  it("a push makes a run whose jobs are planned from the workflow at that commit", async () => {
    const push = repo.commit({ ".gantry/workflows/ci.yml": CI, "src/app.ts": "1" });
    const deliveryId = await deliver(push);
    const result = await processDelivery(deps(), deliveryId);
    expect(result?.outcome).toBe("PROCESSED");
    const [run, ...others] = await runsAt(push.after);
    expect(others).toHaveLength(0);
    expect(run?.workflowName).toBe("CI");
    // The notification is the run's github.event (the claim reads it from there).
    expect(run?.deliveryId).toBe(deliveryId);
    expect(run?.jobs.map((j) => [j.key, j.status]).sort()).toEqual([
      ["build", "WAITING"],
      ["test (20)", "QUEUED"],
      ["test (22)", "QUEUED"],
    ]);
  });

  it("a redelivery, or a second delivery of the same push, makes no second run", async () => {
    const push = repo.commit({ "src/app.ts": "2" });
    const first = await deliver(push, "refs/heads/main", "same-id");
    await processDelivery(deps(), first);
    expect(await deliver(push, "refs/heads/main", "same-id")).toBe(first);
    expect(await processDelivery(deps(), first)).toBeNull();
    const other = await processDelivery(deps(), await deliver(push));
    expect(other?.runs.map((r) => r.created)).toEqual([false]);
    expect(await runsAt(push.after)).toHaveLength(1);
  });

  it("honours branch and path filters", async () => {
    const docsOnly = repo.commit({ "docs/readme.md": "x" });
    expect((await processDelivery(deps(), await deliver(docsOnly)))?.outcome).toBe("IGNORED");
    repo.checkout("feature");
    const feature = repo.commit({ "src/app.ts": "3" }, "feature");
    const result = await processDelivery(deps(), await deliver(feature, "refs/heads/feature"));
    expect(result).toMatchObject({ outcome: "IGNORED", reason: "no workflow matched this push" });
    expect(await runsAt(docsOnly.after)).toHaveLength(0);
    expect(await runsAt(feature.after)).toHaveLength(0);
    repo.checkout("main");
  });

  it("an invalid workflow becomes a FAILED run with positioned errors, not a silent drop", async () => {
    const push = repo.commit({ ".gantry/workflows/broken.yml": "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n" });
    await processDelivery(deps(), await deliver(push));
    const broken = (await runsAt(push.after)).find((run) => run.workflowPath === ".gantry/workflows/broken.yml");
    expect(broken?.status).toBe("FAILED");
    expect(broken?.errors).toEqual(expect.arrayContaining([expect.objectContaining({ file: ".gantry/workflows/broken.yml", line: 5 })]));
  });

  it("a workflow that calls a local reusable workflow is planned with the called file as it is at that commit", async () => {
    const lib = "on:\n  workflow_call:\n    inputs:\n      who: {type: string, required: true}\njobs:\n  hello:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n";
    const caller = "on: push\njobs:\n  call:\n    uses: ./.gantry/lib/hello.yml\n    with:\n      who: me\n";
    // On a branch of its own, so the later tests' commits on main do not carry these files.
    repo.checkout("calls");
    const push = repo.commit({ ".gantry/workflows/calls.yml": caller, ".gantry/lib/hello.yml": lib }, "calls");
    await processDelivery(deps(), await deliver(push, "refs/heads/calls"));
    const run = (await runsAt(push.after)).find((candidate) => candidate.workflowPath === ".gantry/workflows/calls.yml");
    expect(run?.status).not.toBe("FAILED");
    // Intake started the run: the call has added its job, with the inputs it gave.
    expect(run?.jobs.map((job) => [job.key, job.status, job.inputs]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ["call", "RUNNING", null],
      ["call / hello", "WAITING", { who: "me" }],
    ]);

    // At the next commit the called file no longer declares workflow_call: that run fails at the caller's uses:.
    const next = repo.commit({ ".gantry/lib/hello.yml": lib.replace("workflow_call", "workflow_dispatch") }, "calls");
    await processDelivery(deps(), await deliver(next, "refs/heads/calls"));
    repo.git(repo.work, "checkout", "--quiet", "main");
    const failed = (await runsAt(next.after)).find((candidate) => candidate.workflowPath === ".gantry/workflows/calls.yml");
    expect(failed?.status).toBe("FAILED");
    expect(failed?.errors).toEqual(expect.arrayContaining([expect.objectContaining({ file: ".gantry/workflows/calls.yml", line: 4, col: 11, code: "reusable-workflow-not-callable" })]));
  });

  it("a deleted ref and a malformed payload change nothing but the delivery's status", async () => {
    const deleted = await processDelivery(deps(), await deliver({ before: "a".repeat(40), after: "0".repeat(40) }));
    expect(deleted).toMatchObject({ outcome: "IGNORED", reason: "ref deleted" });
    const { id } = await intake.recordDelivery(db.sql("test"), { deliveryId: "bad", source: "git", event: "push", tenantId, repositoryId, payload: { ref: "main" } });
    await processDelivery(deps(), id);
    const row = await db.system("test").webhookDelivery.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("FAILED");
    expect(row.error).toMatch(/ref must be refs\/heads/);
  });

  it("runs through the BullMQ intake queue of a started worker", async () => {
    const keys = testRedis("intake");
    const { prefix } = keys;
    const env = parseWorkerEnv({ DATABASE_URL: testDb.url, REDIS_URL, GANTRY_QUEUE_PREFIX: prefix, GANTRY_WORKER_ID: prefix });
    const worker = await startWorker(env, () => undefined);
    try {
      const push = repo.commit({ "src/app.ts": "4" });
      const deliveryId = await deliver(push);
      await worker.queues.add("intake", { deliveryId });
      const deadline = Date.now() + 30_000;
      while ((await db.system("test").webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId } })).status === "RECEIVED") {
        if (Date.now() > deadline) throw new Error("the intake job did not run");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // ci.yml runs; broken.yml (from the earlier test, still in the tree) fails visibly.
      const runs = await runsAt(push.after);
      expect(runs.map((run) => [run.workflowPath, run.status]).sort()).toEqual([
        [".gantry/workflows/broken.yml", "FAILED"],
        [".gantry/workflows/ci.yml", "QUEUED"],
      ]);
    } finally {
      await worker.stop();
      await keys.close();
    }
  });
});

describe("the delivery sweep", () => {
  it("queues a stored delivery whose queueing was lost, once, and intake then processes it", async () => {
    const keys = testRedis("intake");
    const { prefix } = keys;
    const env = parseWorkerEnv({ DATABASE_URL: testDb.url, REDIS_URL, GANTRY_QUEUE_PREFIX: prefix, GANTRY_WORKER_ID: prefix });
    const worker = await startWorker(env, () => undefined);
    try {
      const push = repo.commit({ "src/app.ts": "5" });
      const deliveryId = await deliver(push);
      // Nothing was queued for it (as if Redis had lost it): the sweep finds it.
      const { sweepDeliveries } = await import("../src/jobs/sweep-deliveries");
      expect(await sweepDeliveries(db, worker.queues, 0, 100)).toBeGreaterThanOrEqual(1);
      const deadline = Date.now() + 30_000;
      while ((await db.system("test").webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId } })).status === "RECEIVED") {
        if (Date.now() > deadline) throw new Error("the swept delivery was not processed");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect((await runsAt(push.after)).filter((run) => run.workflowPath.endsWith("ci.yml"))).toHaveLength(1);
    } finally {
      await worker.stop();
      await keys.close();
    }
  });
});
