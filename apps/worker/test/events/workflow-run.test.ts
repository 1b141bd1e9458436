// workflow_run through the real worker (BullMQ on Redis, Postgres, a plain-git repository): a run's completion
// starts the workflows `on: workflow_run` it names, at the default branch's head, with GitHub's payload as
// github.event, its types and branch filters, and GitHub's limit of three levels of workflow_run runs beyond the
// first; a second request for the same (run, type) starts nothing.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, openDatabase, type Database, type TenantContext } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { workflowRunDeliveryId } from "@gantry/jobs";
import { parseWorkerEnv } from "../../src/env";
import { recordWorkflowRunEvents, requestUnrecordedWorkflowRunEvents } from "@gantry/engine";
import { startWorker, type RunningWorker } from "../../src/worker";
import { GitFixture } from "../git-fixture";
import { seedGitRepository } from "../git-repository-seed";
import { runJobAsRunner } from "@gantry/engine/testing";
import { until } from "../github/github-testbed";
import { testRedis, TEST_REDIS_URL as REDIS_URL } from "@gantry/testing";

const keys = testRedis("wfrun");
const { prefix } = keys;
const seeded = { tenantId: "ten_wfrun", repositoryId: "repo_wfrun", fullName: "chain/hello" };
const ctx: TenantContext = { tenantId: seeded.tenantId, actor: { kind: "SYSTEM" } };

const job = "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n";
const follows = (name: string, of: string, extra = "") => `name: ${name}\non:\n  workflow_run:\n    workflows: [${of}]\n    types: [completed]\n${extra}${job}`;
const WORKFLOWS = {
  ".gantry/workflows/ci.yml": `name: CI\non: push\n${job}`,
  ".gantry/workflows/level1.yml": follows("Level1", "CI"),
  ".gantry/workflows/level2.yml": follows("Level2", "Level1"),
  ".gantry/workflows/level3.yml": follows("Level3", "Level2"),
  ".gantry/workflows/level4.yml": follows("Level4", "Level3"),
  ".gantry/workflows/on-dev.yml": follows("OnDev", "CI", "    branches: [dev]\n"),
  ".gantry/workflows/requested.yml": `name: Requested\non:\n  workflow_run:\n    workflows: [CI]\n    types: [requested]\n${job}`,
};

let testDb: TestDatabase;
let db: Database;
let repo: GitFixture;
let worker: RunningWorker;

const runsNamed = (name: string) => db.forTenant(ctx).workflowRun.findMany({ where: { workflowName: name }, orderBy: { runNumber: "asc" } });
const oneRun = async (name: string) => until(`a run of ${name}`, async () => (await runsNamed(name))[0]);

/** Ends the run's only job as a runner would, and lets the worker advance the run. */
async function complete(runId: string, conclusion: "SUCCEEDED" | "FAILED" = "SUCCEEDED") {
  await until(`run ${runId}'s job to be ready`, async () => (await db.forTenant(ctx).jobRun.findFirst({ where: { runId, status: "WAITING" } })) !== null);
  await runJobAsRunner(db, ctx, runId, "a", conclusion);
  await worker.queues.add("advance-run", { tenantId: ctx.tenantId, runId });
  await until(`run ${runId} to finish`, async () => (await db.forTenant(ctx).workflowRun.findUnique({ where: { id: runId } }))?.finishedAt);
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  repo = new GitFixture();
  await seedGitRepository(db, seeded, repo.bare);
  worker = await startWorker(parseWorkerEnv({ DATABASE_URL: testDb.url, REDIS_URL, GANTRY_QUEUE_PREFIX: prefix, GANTRY_WORKER_ID: prefix, GANTRY_RECONCILE_INTERVAL_MS: "3600000" }), () => undefined);
});
afterAll(async () => {
  await worker?.stop();
  await keys.close();
  await db?.close();
  await testDb?.drop();
  repo?.remove();
});

describe("workflow_run", () => {
  it("chains on completion, at main's head, three levels deep and no further, once per (run, type)", async () => {
    const pushed = repo.commit(WORKFLOWS);
    const { id } = await intake.recordDelivery(db.sql("test"), { deliveryId: randomBytes(8).toString("hex"), source: "git", event: "push", tenantId: seeded.tenantId, repositoryId: seeded.repositoryId, payload: { repository: seeded.fullName, ref: "refs/heads/main", ...pushed } });
    await worker.queues.add("intake", { deliveryId: id });

    const ci = await oneRun("CI");
    // `types: [requested]` runs as soon as CI is requested, before it ends.
    const requested = await oneRun("Requested");
    expect(requested).toMatchObject({ event: "workflow_run", ref: "refs/heads/main", sha: pushed.after });
    await complete(ci.id);

    const level1 = await oneRun("Level1");
    expect(level1).toMatchObject({ event: "workflow_run", ref: "refs/heads/main", sha: pushed.after, trusted: true });
    const delivery = await db.system("test").webhookDelivery.findUniqueOrThrow({ where: { id: level1.deliveryId ?? "" } });
    expect(delivery).toMatchObject({ source: "gantry", event: "workflow_run", deliveryId: `gantry:${workflowRunDeliveryId(ci.id, "completed")}` });
    expect(delivery.payload).toMatchObject({
      action: "completed",
      workflow_run: { id: ci.id, name: "CI", head_branch: "main", head_sha: pushed.after, event: "push", status: "completed", conclusion: "success", run_number: ci.runNumber, path: ".gantry/workflows/ci.yml" },
      workflow: { name: "CI" },
      repository: { full_name: "chain/hello" },
    });

    await complete(level1.id, "FAILED");
    const level2 = await oneRun("Level2");
    expect((await db.system("test").webhookDelivery.findUniqueOrThrow({ where: { id: level2.deliveryId ?? "" } })).payload).toMatchObject({ workflow_run: { name: "Level1", conclusion: "failure" } });
    await complete(level2.id);
    const level3 = await oneRun("Level3");
    await complete(level3.id);

    // Level3 is the third workflow_run level: its completion starts nothing (GitHub's loop limit).
    const eventsJob = () => worker.queues.queue("gantry-intake").getJob(`workflow-run-events-${level3.id}-SUCCEEDED`);
    await until("the worker to look at Level3's events", async () => (await (await eventsJob())?.isCompleted()) === true);
    expect((await worker.queues.queue("gantry-intake").getJob(`workflow-run-events-${level3.id}-SUCCEEDED`))?.returnvalue).toEqual({
      recorded: [],
      reason: `run ${level3.id} ends a chain of 3 workflow_run runs (GitHub's limit)`,
    });
    expect(await runsNamed("Level4")).toEqual([]);
    // The branch filter looks at the triggering run's branch (main), so OnDev never ran.
    expect(await runsNamed("OnDev")).toEqual([]);

    // Asking again for CI's events records nothing new and starts nothing.
    expect(await recordWorkflowRunEvents(db, worker.queues, ctx, ci.id)).toEqual({ recorded: [] });
    expect((await runsNamed("Level1")).length).toBe(1);
    expect((await runsNamed("Requested")).length).toBe(1);
    expect(await db.system("test").webhookDelivery.count({ where: { source: "gantry", deliveryId: { startsWith: `gantry:workflow_run:${ci.id}:` } } })).toBe(3);

    // Redis lost the job before it recorded CI's `completed` (simulated: the delivery row and the BullMQ job gone):
    // the queue reconciliation asks again from Postgres, and the recorded event makes no second run.
    const intakeQueue = worker.queues.queue("gantry-intake");
    await (await intakeQueue.getJob(`workflow-run-events-${ci.id}-SUCCEEDED`))?.remove();
    await (await intakeQueue.getJob(`intake-${delivery.id}`))?.remove();
    await db.system("test").webhookDelivery.delete({ where: { id: delivery.id } });
    expect(await requestUnrecordedWorkflowRunEvents(db, worker.queues)).toBeGreaterThanOrEqual(1);
    const again = await until("CI's completed event to be recorded again", async () => (await db.system("test").webhookDelivery.findUnique({ where: { id: delivery.id } })) ?? undefined);
    await until("its intake", async () => (await db.system("test").webhookDelivery.findUnique({ where: { id: again.id } }))?.status === "PROCESSED");
    expect((await runsNamed("Level1")).length).toBe(1);

    // A re-run of CI is a new attempt of the same run: its events are sent again (run_attempt 2), once.
    expect(await worker.engine.rerun(ctx, ci.id, { mode: "all", actor: "test" })).toMatchObject({ rerun: true, runAttempt: 2 });
    await until("Requested to run for attempt 2", async () => ((await runsNamed("Requested")).length === 2 ? true : undefined));
    await complete(ci.id);
    await until("Level1 to run for attempt 2", async () => ((await runsNamed("Level1")).length === 2 ? true : undefined));
    const rerunDelivery = await db.system("test").webhookDelivery.findFirstOrThrow({ where: { deliveryId: `gantry:${workflowRunDeliveryId(ci.id, "completed", 2)}` } });
    expect(rerunDelivery.payload).toMatchObject({ action: "completed", workflow_run: { id: ci.id, run_attempt: 2, run_number: ci.runNumber, conclusion: "success" } });
    expect(await recordWorkflowRunEvents(db, worker.queues, ctx, ci.id)).toEqual({ recorded: [] });
  });
});
