// Re-runs against real Postgres: each mode, the run's conclusion decided again from the latest attempts, earlier
// attempts (outputs, logs, conclusions) kept, and two requests for the same run attempt re-running once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, transitions, type Database, type TenantContext } from "@gantry/db";
import type { FairScheduler } from "@gantry/scheduler";
import { engineTestbed, type EngineTestbed } from "../testbed";
import { completeAttempt } from "../../src/dispatch/complete-attempt";
import { advanceRun } from "../../src/run/advance-run";
import { jobsToRerun, rerun, RerunRefused, type RerunInput } from "../../src/run/rerun";
import { startRun } from "../../src/run/start-run";

let bed: EngineTestbed;
let db: Database;
let scheduler: FairScheduler;
const ctx: TenantContext = { tenantId: "ten_rerun", actor: { kind: "SYSTEM" } };
let counter = 0;

beforeAll(async () => {
  bed = await engineTestbed();
  ({ db, scheduler } = bed);
  await bed.addTenant("rerun", { id: ctx.tenantId });
});
afterAll(() => bed.close());

interface J {
  key: string;
  jobId?: string;
  needs?: string[];
}

async function plan(jobs: J[]): Promise<string> {
  const sha = String(++counter).padStart(40, "0");
  const created = await intake.createRun(db.system("test"), ctx, {
    repositoryId: "repo",
    idempotencyKey: `k${sha}`,
    workflowPath: "ci.yml",
    workflowName: "CI",
    event: "push",
    ref: "refs/heads/main",
    sha,
    trusted: true,
    plan: {
      jobs: jobs.map((job) => ({ key: job.key, jobId: job.jobId ?? job.key, name: job.key, needs: job.needs ?? [], runsOn: ["ubuntu-latest"], timeoutMinutes: 10, continueOnError: false, retry: { maxAttempts: 2 } })),
    },
  });
  await startRun(db, ctx, created.runId);
  return created.runId;
}

/** A runner takes the WAITING job, logs a line, reports its conclusion and outputs; then the run advances. */
async function finish(runId: string, key: string, conclusion: "SUCCEEDED" | "FAILED", outputs?: Record<string, string>) {
  const sys = db.system("test: a runner");
  const job = await sys.jobRun.findFirstOrThrow({ where: { runId, key } });
  expect(job.status, `${key} should be waiting`).toBe("WAITING");
  const assignment = await transitions.assignJob(sys, ctx, { jobId: job.id, expectedAttempt: job.attempt, leaseMs: 30_000 });
  if (!assignment) throw new Error(`${key} was not assignable`);
  await transitions.markRunRunning(sys, ctx, runId);
  await sys.logChunk.create({ data: { id: `log-${assignment.attemptId}`, tenantId: ctx.tenantId, attemptId: assignment.attemptId, seq: 0, byteOffset: 0n, byteLength: 5, sha256: "x", objectKey: `logs/${assignment.attemptId}/0` } });
  const done = await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: assignment.attemptId, conclusion, ...(outputs ? { outputs } : {}) });
  expect(done.applied).toBe(true);
  await advanceRun(db, ctx, runId);
}

async function statuses(runId: string) {
  const jobs = await db.forTenant(ctx).jobRun.findMany({ where: { runId }, orderBy: { key: "asc" } });
  return Object.fromEntries(jobs.map((job) => [job.key, job.status]));
}
const runOf = (runId: string) => db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: runId } });
const attemptsOf = (runId: string, key: string) => db.forTenant(ctx).jobAttempt.findMany({ where: { job: { runId, key } }, orderBy: { number: "asc" }, include: { logs: true } });

async function rerunAndStart(runId: string, input: Omit<RerunInput, "actor">) {
  const result = await rerun(db, ctx, runId, { ...input, actor: "dev@example.com" });
  if (result.rerun) await startRun(db, ctx, runId);
  return result;
}

/** build → test → deploy, where test fails on the first run attempt. */
async function failedRun(): Promise<string> {
  const runId = await plan([{ key: "build" }, { key: "test", needs: ["build"] }, { key: "deploy", needs: ["test"] }]);
  await finish(runId, "build", "SUCCEEDED", { version: "1.0" });
  await finish(runId, "test", "FAILED", { report: "first" });
  expect(await statuses(runId)).toEqual({ build: "SUCCEEDED", deploy: "SKIPPED", test: "FAILED" });
  expect((await runOf(runId)).status).toBe("FAILED");
  return runId;
}

describe("re-runs", () => {
  it("re-runs the failed jobs and their dependents as run attempt 2, keeping attempt 1's outputs, logs and conclusion", async () => {
    const runId = await failedRun();
    const result = await rerunAndStart(runId, { mode: "failed" });
    expect(result).toMatchObject({ rerun: true, runAttempt: 2 });
    expect(result.jobIds).toHaveLength(2);
    const run = await runOf(runId);
    expect(run).toMatchObject({ status: "QUEUED", runAttempt: 2, finishedAt: null });
    expect(await statuses(runId)).toEqual({ build: "SUCCEEDED", deploy: "QUEUED", test: "WAITING" });

    await finish(runId, "test", "SUCCEEDED", { report: "second" });
    await finish(runId, "deploy", "SUCCEEDED");
    expect(await statuses(runId)).toEqual({ build: "SUCCEEDED", deploy: "SUCCEEDED", test: "SUCCEEDED" });
    expect((await runOf(runId)).status).toBe("SUCCEEDED");

    // build did not run again; test has both attempts, each with its run attempt, conclusion, outputs and log.
    expect((await attemptsOf(runId, "build")).map((a) => a.runAttempt)).toEqual([1]);
    const test = await attemptsOf(runId, "test");
    expect(test.map((a) => [a.number, a.runAttempt, a.status, a.outputs])).toEqual([
      [1, 1, "FAILED", { report: "first" }],
      [2, 2, "SUCCEEDED", { report: "second" }],
    ]);
    expect(test.map((a) => a.logs.length)).toEqual([1, 1]);
    expect((await attemptsOf(runId, "deploy")).map((a) => a.runAttempt)).toEqual([2]);
    const jobs = await db.forTenant(ctx).jobRun.findMany({ where: { runId }, orderBy: { key: "asc" } });
    expect(jobs.map((job) => [job.key, job.runAttempt, job.outputs])).toEqual([
      ["build", 1, { version: "1.0" }],
      ["deploy", 2, null],
      ["test", 2, { report: "second" }],
    ]);
  });

  it("decides the conclusion again from the latest attempts (failing again fails the run)", async () => {
    const runId = await failedRun();
    await rerunAndStart(runId, { mode: "failed" });
    await finish(runId, "test", "FAILED");
    expect((await runOf(runId)).status).toBe("FAILED");
    expect(await statuses(runId)).toEqual({ build: "SUCCEEDED", deploy: "SKIPPED", test: "FAILED" });
    const third = await rerunAndStart(runId, { mode: "failed" });
    expect(third.runAttempt).toBe(3);
    await finish(runId, "test", "SUCCEEDED");
    await finish(runId, "deploy", "SUCCEEDED");
    expect((await runOf(runId)).status).toBe("SUCCEEDED");
    expect((await attemptsOf(runId, "test")).map((a) => [a.number, a.runAttempt, a.status])).toEqual([
      [1, 1, "FAILED"],
      [2, 2, "FAILED"],
      [3, 3, "SUCCEEDED"],
    ]);
  });

  it("re-runs all jobs", async () => {
    const runId = await failedRun();
    await rerunAndStart(runId, { mode: "all" });
    expect(await statuses(runId)).toEqual({ build: "WAITING", deploy: "QUEUED", test: "QUEUED" });
    await finish(runId, "build", "SUCCEEDED", { version: "2.0" });
    await finish(runId, "test", "SUCCEEDED");
    await finish(runId, "deploy", "SUCCEEDED");
    expect((await runOf(runId)).status).toBe("SUCCEEDED");
    expect((await attemptsOf(runId, "build")).map((a) => [a.number, a.runAttempt, a.outputs])).toEqual([
      [1, 1, { version: "1.0" }],
      [2, 2, { version: "2.0" }],
    ]);
  });

  it("re-runs one job and its dependents; the needs it keeps are seen with their earlier results", async () => {
    const runId = await plan([{ key: "build" }, { key: "lint" }, { key: "test", needs: ["build"] }, { key: "deploy", needs: ["test", "lint"] }]);
    await finish(runId, "build", "SUCCEEDED");
    await finish(runId, "lint", "SUCCEEDED");
    await finish(runId, "test", "SUCCEEDED");
    await finish(runId, "deploy", "SUCCEEDED");
    expect((await runOf(runId)).status).toBe("SUCCEEDED");

    await rerunAndStart(runId, { mode: "job", jobKey: "test" });
    // deploy's need lint did not re-run: it still counts as succeeded, so deploy runs once test has.
    expect(await statuses(runId)).toEqual({ build: "SUCCEEDED", deploy: "QUEUED", lint: "SUCCEEDED", test: "WAITING" });
    await finish(runId, "test", "SUCCEEDED");
    await finish(runId, "deploy", "SUCCEEDED");
    expect((await runOf(runId)).status).toBe("SUCCEEDED");
    expect((await attemptsOf(runId, "lint")).length).toBe(1);
  });

  it("re-runs every cell of a matrix job by its job id, or one cell by its key", async () => {
    const runId = await plan([
      { key: "test (1)", jobId: "test" },
      { key: "test (2)", jobId: "test" },
      { key: "report", needs: ["test (1)", "test (2)"] },
    ]);
    await finish(runId, "test (1)", "SUCCEEDED");
    await finish(runId, "test (2)", "SUCCEEDED");
    await finish(runId, "report", "SUCCEEDED");

    await rerunAndStart(runId, { mode: "job", jobKey: "test (2)" });
    expect(await statuses(runId)).toEqual({ report: "QUEUED", "test (1)": "SUCCEEDED", "test (2)": "WAITING" });
    await finish(runId, "test (2)", "SUCCEEDED");
    await finish(runId, "report", "SUCCEEDED");

    await rerunAndStart(runId, { mode: "job", jobKey: "test" });
    expect(await statuses(runId)).toEqual({ report: "QUEUED", "test (1)": "WAITING", "test (2)": "WAITING" });
    expect((await runOf(runId)).runAttempt).toBe(3);
  });

  it("re-runs once when two requests for the same run attempt race", async () => {
    const runId = await failedRun();
    const results = await Promise.allSettled([rerun(db, ctx, runId, { mode: "failed", actor: "a" }), rerun(db, ctx, runId, { mode: "failed", actor: "b" })]);
    const rerunCount = results.filter((r) => r.status === "fulfilled" && r.value.rerun).length;
    expect(rerunCount).toBe(1);
    // The loser either saw the run still ended and lost the conditional update, or saw it queued already.
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(RerunRefused);
    expect((await runOf(runId)).runAttempt).toBe(2);
    const transitionsOfRun = await db.system("test").stateTransition.findMany({ where: { entityId: runId, toStatus: "QUEUED" } });
    expect(transitionsOfRun).toHaveLength(1);
  });

  it("refuses an active run, an unknown job, and a run with nothing failed", async () => {
    const runId = await plan([{ key: "build" }, { key: "test", needs: ["build"] }]);
    await expect(rerun(db, ctx, runId, { mode: "all", actor: "a" })).rejects.toMatchObject({ code: "ACTIVE", message: expect.stringContaining("still queued") });
    await finish(runId, "build", "SUCCEEDED");
    await finish(runId, "test", "SUCCEEDED");
    await expect(rerun(db, ctx, runId, { mode: "job", jobKey: "nope", actor: "a" })).rejects.toMatchObject({ code: "UNKNOWN_JOB", message: expect.stringContaining("(jobs: build, test)") });
    await expect(rerun(db, ctx, runId, { mode: "failed", actor: "a" })).rejects.toMatchObject({ code: "NOTHING_TO_RERUN" });
    await expect(rerun(db, ctx, "run_missing", { mode: "all", actor: "a" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await runOf(runId)).runAttempt).toBe(1);
  });
});

describe("which jobs re-run (reusable calls, dynamic matrices)", () => {
  type Row = { id: string; key: string; jobId: string; status: "SUCCEEDED" | "FAILED" | "SKIPPED" | "CANCELED"; needs: string[]; callerId: string | null };
  const row = (key: string, status: Row["status"], needs: string[] = [], callerId: string | null = null): Row => ({ id: key, key, jobId: key.split("/").pop() ?? key, status, needs, callerId });
  // setup → call (uses a reusable workflow: call/lint, call/test needs call/lint) → after; a dynamic matrix
  // placeholder `m` (no longer in the plan) expanded into its cells.
  const jobs = [
    row("setup", "SUCCEEDED"),
    row("call", "FAILED", ["setup"]),
    row("call/lint", "SUCCEEDED", [], "call"),
    row("call/test", "FAILED", ["call/lint"], "call"),
    row("after", "SKIPPED", ["call"]),
    row("m", "SKIPPED", ["setup"]),
    row("m (1)", "SUCCEEDED", ["setup"]),
  ];
  const planned = new Set(jobs.map((job) => job.key).filter((key) => key !== "m"));
  const pick = (input: { mode: "all" | "failed" | "job"; jobKey?: string }) => Object.fromEntries([...jobsToRerun(jobs, planned, input).all].sort());

  it("a failed called job re-runs with its dependents; its call waits for it again and the call's dependents re-run", () => {
    expect(pick({ mode: "failed" })).toEqual({ after: "QUEUED", call: "RUNNING", "call/test": "QUEUED" });
  });
  it("re-running a call re-runs every job it called", () => {
    expect(pick({ mode: "job", jobKey: "call" })).toEqual({ after: "QUEUED", call: "RUNNING", "call/lint": "QUEUED", "call/test": "QUEUED" });
  });
  it("a need of a call re-runs the whole call; an expanded matrix keeps its cells and never re-runs its placeholder", () => {
    expect(pick({ mode: "job", jobKey: "setup" })).toEqual({ after: "QUEUED", call: "RUNNING", "call/lint": "QUEUED", "call/test": "QUEUED", "m (1)": "QUEUED", setup: "QUEUED" });
    expect(pick({ mode: "all" })).not.toHaveProperty("m");
  });
  it("a call that failed before calling anything calls again", () => {
    const unstarted = [row("setup", "SUCCEEDED"), row("call", "FAILED", ["setup"])];
    expect(Object.fromEntries(jobsToRerun(unstarted, new Set(["setup", "call"]), { mode: "failed" }).all)).toEqual({ call: "QUEUED" });
  });
});
