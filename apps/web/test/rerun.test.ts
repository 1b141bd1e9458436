// runs.rerun through the real procedure chain: a developer re-runs an ended run's failed jobs (the run goes back in
// line as attempt 2, the worker is asked to start it, the action is audited), runs.get shows each job's attempts by
// run attempt; an active run, an unknown job and a viewer are refused, and a second click changes nothing.
import { randomBytes } from "node:crypto";
import { intake, transitions, type TenantContext } from "@gantry/db";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { DEMO, setupWebTest, TEST_REDIS_URL, type WebTestContext } from "./support";

let t: WebTestContext;
const admin: SessionUser = { userId: DEMO.userId, email: DEMO.email, name: "Demo Admin" };
const viewer: SessionUser = { userId: "usr_rerun_viewer", email: "rerun-viewer@gantry.local", name: "Viewer" };
const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };
const callerFor = (session: SessionUser) => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues }));
const sys = () => t.database.system("test");

beforeAll(async () => {
  t = await setupWebTest();
  await sys().user.create({ data: { id: viewer.userId, email: viewer.email, name: viewer.name } });
  await sys().membership.create({ data: { tenantId: DEMO.tenantId, userId: viewer.userId, role: "VIEWER" } });
});
afterAll(async () => {
  await t?.close();
});

/** build succeeded, test failed, deploy (needs test) skipped: the run FAILED. */
async function failedRun() {
  const job = (key: string, needs: string[] = []) => ({ key, jobId: key, name: key, needs, runsOn: ["ubuntu-latest"], timeoutMinutes: 5, continueOnError: false, retry: { maxAttempts: 1 } });
  const created = await intake.createRun(sys(), demo, {
    repositoryId: DEMO.repositoryId,
    idempotencyKey: randomBytes(8).toString("hex"),
    workflowPath: ".gantry/workflows/ci.yml",
    workflowName: "CI",
    event: "push",
    ref: "refs/heads/main",
    sha: "b".repeat(40),
    trusted: true,
    plan: { jobs: [job("build"), job("test", ["build"]), job("deploy", ["test"])] },
  });
  const jobs = await sys().jobRun.findMany({ where: { runId: created.runId } });
  const id = (key: string) => jobs.find((candidate) => candidate.key === key)?.id ?? "";
  for (const [key, conclusion] of [["build", "SUCCEEDED"], ["test", "FAILED"]] as const) {
    await transitions.markJobWaiting(sys(), demo, id(key));
    const assigned = await transitions.assignJob(sys(), demo, { jobId: id(key), expectedAttempt: 0, leaseMs: 60_000 });
    await transitions.finishAttempt(sys(), demo, assigned?.attemptId ?? "", conclusion, conclusion === "FAILED" ? { kind: "USER", reason: "a step failed" } : undefined);
    await transitions.finishJob(sys(), demo, id(key), 1, conclusion);
  }
  await transitions.skipJob(sys(), demo, id("deploy"));
  await transitions.finishRun(sys(), demo, created.runId, "FAILED");
  return created.runId;
}

describe("runs.rerun", () => {
  it("re-runs the failed jobs with their dependents as the run's next attempt, once, and asks the worker to start it", async () => {
    const runId = await failedRun();
    expect(await callerFor(admin).runs.rerun({ tenant: DEMO.tenantSlug, runId, mode: "failed" })).toEqual({ runId, rerun: true, runAttempt: 2, jobs: 2 });
    const run = await callerFor(admin).runs.get({ tenant: DEMO.tenantSlug, runId });
    expect(run.status).toBe("QUEUED");
    expect(run.runAttempt).toBe(2);
    expect(run.jobs.map((job) => [job.key, job.status, job.runAttempt])).toEqual([
      ["build", "SUCCEEDED", 1],
      ["test", "QUEUED", 2],
      ["deploy", "QUEUED", 2],
    ]);
    // test's first attempt stays viewable, with its run attempt, cause and times.
    expect(run.jobs[1]?.attempts).toEqual([
      expect.objectContaining({ number: 1, runAttempt: 1, status: "FAILED", failureCause: "user", failureReason: "a step failed", finishedAt: expect.any(String) }),
    ]);
    const audit = await sys().auditEvent.findMany({ where: { targetId: runId, action: "run.rerun" } });
    expect(audit.map((event) => [event.actorId, event.data])).toEqual([[DEMO.userId, { mode: "failed", runAttempt: 2, jobs: 2 }]]);
    const queue = new Queue("gantry-orchestration", { connection: { url: TEST_REDIS_URL }, prefix: t.env.GANTRY_QUEUE_PREFIX ?? "" });
    try {
      expect((await queue.getJob(`start-${runId}-attempt-2`))?.data).toEqual({ tenantId: DEMO.tenantId, runId, start: true });
    } finally {
      await queue.close();
    }
    // The run is in line again: a second click is refused as a conflict and changes nothing.
    await expect(callerFor(admin).runs.rerun({ tenant: DEMO.tenantSlug, runId, mode: "failed" })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("still queued (attempt 2)") });
    expect((await sys().workflowRun.findUniqueOrThrow({ where: { id: runId } })).runAttempt).toBe(2);
  });

  it("keeps each run attempt viewable in runs.get: its conclusion and every job as it left it, kept jobs marked", async () => {
    const runId = await failedRun();
    const before = await callerFor(admin).runs.get({ tenant: DEMO.tenantSlug, runId });
    expect(before.runAttempts).toEqual([
      {
        number: 1,
        queuedAt: before.createdAt,
        conclusion: "FAILED",
        finishedAt: expect.any(String),
        jobs: [
          { key: "build", status: "SUCCEEDED", rerun: true },
          { key: "test", status: "FAILED", rerun: true },
          { key: "deploy", status: "SKIPPED", rerun: true },
        ],
      },
    ]);
    expect(before.queuedAt).toBe(before.createdAt);
    await callerFor(admin).runs.rerun({ tenant: DEMO.tenantSlug, runId, mode: "failed" });
    const jobs = await sys().jobRun.findMany({ where: { runId } });
    const test = jobs.find((job) => job.key === "test")?.id ?? "";
    await transitions.markJobWaiting(sys(), demo, test);
    const assigned = await transitions.assignJob(sys(), demo, { jobId: test, expectedAttempt: 1, leaseMs: 60_000 });
    await transitions.finishAttempt(sys(), demo, assigned?.attemptId ?? "", "SUCCEEDED");
    await transitions.finishJob(sys(), demo, test, 2, "SUCCEEDED");

    const after = await callerFor(admin).runs.get({ tenant: DEMO.tenantSlug, runId });
    const [first, second] = after.runAttempts;
    // Attempt 1 reads as it ended, though its jobs were reset in place.
    expect(first).toEqual(before.runAttempts[0]);
    expect(second).toEqual({
      number: 2,
      queuedAt: expect.any(String),
      conclusion: null,
      finishedAt: null,
      jobs: [
        { key: "build", status: "SUCCEEDED", rerun: false },
        { key: "test", status: "SUCCEEDED", rerun: true },
        { key: "deploy", status: "QUEUED", rerun: true },
      ],
    });
    // Queue time counts from the re-run, not from the run's creation.
    expect(after.queuedAt).toBe(second?.queuedAt);
    expect(Date.parse(after.queuedAt)).toBeGreaterThanOrEqual(Date.parse(first?.finishedAt ?? ""));
    expect([after.canRerun, (await callerFor(viewer).runs.get({ tenant: DEMO.tenantSlug, runId })).canRerun]).toEqual([true, false]);
  });

  it("names the jobs when the job is unknown, and asks for jobKey only with mode job", async () => {
    const runId = await failedRun();
    await expect(callerFor(admin).runs.rerun({ tenant: DEMO.tenantSlug, runId, mode: "job", jobKey: "lint" })).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("has no job lint (jobs: build, test, deploy)") });
    await expect(callerFor(admin).runs.rerun({ tenant: DEMO.tenantSlug, runId, mode: "job" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(callerFor(admin).runs.rerun({ tenant: DEMO.tenantSlug, runId: "run_nope", mode: "all" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await callerFor(admin).runs.rerun({ tenant: DEMO.tenantSlug, runId, mode: "job", jobKey: "build" })).toMatchObject({ rerun: true, jobs: 3 });
  });

  it("refuses a viewer, changing nothing", async () => {
    const runId = await failedRun();
    await expect(callerFor(viewer).runs.rerun({ tenant: DEMO.tenantSlug, runId, mode: "all" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const run = await sys().workflowRun.findUniqueOrThrow({ where: { id: runId } });
    expect([run.status, run.runAttempt]).toEqual(["FAILED", 1]);
  });
});
