import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ATTEMPT_STATUSES,
  RUN_STATUSES,
  isTerminalRunStatus,
  openDatabase,
  runStatusRank,
  transitions,
  type AttemptStatus,
  type Database,
  type RawPrismaClient,
  type RunStatus,
  type TenantContext,
} from "../src/index";
import { createTestDatabase, type TestDatabase } from "../src/testing/index";
import { seedJob, seedTenant } from "./fixtures";

let testDb: TestDatabase;
let db: Database;
let sql: RawPrismaClient;
let ctx: TenantContext;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url, { poolSize: 12 });
  sql = db.system("state machine test");
  ctx = await seedTenant(db, "acme");
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
});

async function jobIn(status: RunStatus, attempt = 1) {
  const { jobId, runId } = await seedJob(db, ctx, `job-${Math.random().toString(36).slice(2)}`);
  await sql.jobRun.update({ where: { id: jobId }, data: { status, attempt } });
  return { jobId, runId };
}

const jobStatus = async (id: string) => (await sql.jobRun.findUniqueOrThrow({ where: { id } })).status;

// Each job transition: the statuses it may start from, where it leads, and how to call it.
const JOB_TRANSITIONS: { name: string; from: RunStatus[]; to: RunStatus; call: (id: string) => Promise<{ changed: boolean }> }[] = [
  { name: "markJobWaiting", from: ["QUEUED"], to: "WAITING", call: (id) => transitions.markJobWaiting(sql, ctx, id) },
  { name: "markJobAssigned", from: ["QUEUED", "WAITING"], to: "RUNNING", call: (id) => transitions.markJobAssigned(sql, ctx, id, 1) },
  { name: "requeueJob", from: ["RUNNING"], to: "WAITING", call: (id) => transitions.requeueJob(sql, ctx, id, 1) },
  { name: "finishJob(SUCCEEDED)", from: ["RUNNING"], to: "SUCCEEDED", call: (id) => transitions.finishJob(sql, ctx, id, 1, "SUCCEEDED") },
  { name: "finishJob(FAILED)", from: ["RUNNING"], to: "FAILED", call: (id) => transitions.finishJob(sql, ctx, id, 1, "FAILED", { kind: "USER", reason: "exit 1" }) },
  { name: "finishJob(TIMED_OUT)", from: ["RUNNING"], to: "TIMED_OUT", call: (id) => transitions.finishJob(sql, ctx, id, 1, "TIMED_OUT") },
  { name: "failUnstartedJob", from: ["QUEUED", "WAITING"], to: "FAILED", call: (id) => transitions.failUnstartedJob(sql, ctx, id, "bad if") },
  { name: "skipJob", from: ["QUEUED", "WAITING"], to: "SKIPPED", call: (id) => transitions.skipJob(sql, ctx, id) },
  { name: "cancelJob", from: ["QUEUED", "WAITING", "RUNNING"], to: "CANCELED", call: (id) => transitions.cancelJob(sql, ctx, id) },
];

describe("job transitions: every legal and illegal start", () => {
  for (const transition of JOB_TRANSITIONS) {
    for (const start of RUN_STATUSES) {
      const legal = transition.from.includes(start);
      it(`${transition.name} from ${start} is ${legal ? "applied" : "a no-op"}`, async () => {
        const { jobId } = await jobIn(start);
        const result = await transition.call(jobId);
        expect(result.changed).toBe(legal);
        expect(await jobStatus(jobId)).toBe(legal ? transition.to : start);
        const history = await sql.stateTransition.findMany({ where: { entityId: jobId } });
        expect(history.map((h) => [h.fromStatus, h.toStatus])).toEqual(legal ? [[start, transition.to]] : []);
      });
    }
  }

  it("no transition ever leaves a terminal status, and all but requeue move up in rank", () => {
    for (const transition of JOB_TRANSITIONS) {
      for (const from of transition.from) {
        expect(isTerminalRunStatus(from)).toBe(false);
        if (transition.name !== "requeueJob") expect(runStatusRank(transition.to)).toBeGreaterThan(runStatusRank(from));
      }
    }
  });
});

describe("attempt numbers", () => {
  it("a message naming an older attempt changes nothing", async () => {
    const { jobId } = await jobIn("RUNNING", 2);
    expect((await transitions.finishJob(sql, ctx, jobId, 1, "SUCCEEDED")).changed).toBe(false);
    expect((await transitions.requeueJob(sql, ctx, jobId, 1)).changed).toBe(false);
    expect(await jobStatus(jobId)).toBe("RUNNING");
    expect((await transitions.finishJob(sql, ctx, jobId, 2, "FAILED")).changed).toBe(true);
  });

  it("requeue stops when the retry budget is spent", async () => {
    const { jobId } = await jobIn("RUNNING", 3);
    expect((await transitions.requeueJob(sql, ctx, jobId, 3)).changed).toBe(false);
  });

  it("assignment raises the attempt and creates the attempt row with a deterministic id", async () => {
    const { jobId } = await jobIn("WAITING", 0);
    const first = await transitions.assignJob(sql, ctx, { jobId, expectedAttempt: 0, leaseMs: 30_000 });
    expect(first?.attempt).toBe(1);
    expect(await transitions.assignJob(sql, ctx, { jobId, expectedAttempt: 0, leaseMs: 30_000 })).toBeNull();
    const job = await sql.jobRun.findUniqueOrThrow({ where: { id: jobId }, include: { attempts: true } });
    expect(job.attempt).toBe(1);
    expect(job.attempts.map((a) => a.id)).toEqual([first?.attemptId]);
  });
});

describe("run transitions", () => {
  it("QUEUED → RUNNING → SUCCEEDED, then nothing moves it", async () => {
    const { runId } = await jobIn("QUEUED");
    expect((await transitions.markRunWaiting(sql, ctx, runId)).changed).toBe(true);
    expect((await transitions.markRunRunning(sql, ctx, runId)).changed).toBe(true);
    expect((await transitions.markRunWaiting(sql, ctx, runId)).changed).toBe(false);
    expect((await transitions.finishRun(sql, ctx, runId, "SUCCEEDED")).changed).toBe(true);
    for (const conclusion of ["FAILED", "CANCELED", "TIMED_OUT", "SKIPPED"] as const) {
      expect((await transitions.finishRun(sql, ctx, runId, conclusion)).changed).toBe(false);
    }
    expect((await transitions.markRunRunning(sql, ctx, runId)).changed).toBe(false);
    const run = await sql.workflowRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.finishedAt).not.toBeNull();
  });
});

describe("re-run: the one way out of a terminal status", () => {
  const rerun = (runId: string, jobId: string, expectedRunAttempt = 1) => transitions.rerunRun(sql, ctx, { runId, expectedRunAttempt, jobs: [{ id: jobId, to: "QUEUED", retryBudget: 3 }], reason: "re-run by a test" });

  it("a live run is not re-run; an ended one goes back to QUEUED as attempt 2 with its job, once", async () => {
    const { runId, jobId } = await jobIn("RUNNING", 1);
    expect((await rerun(runId, jobId)).changed).toBe(false);
    await transitions.finishJob(sql, ctx, jobId, 1, "FAILED", { kind: "USER", reason: "exit 1" });
    await transitions.finishRun(sql, ctx, runId, "FAILED");
    await sql.jobRun.update({ where: { id: jobId }, data: { outputs: { a: "1" }, poolId: "pool", readyAt: new Date(), heldByConcurrency: true } });
    expect(await rerun(runId, jobId)).toEqual({ changed: true, runAttempt: 2, jobIds: [jobId] });
    // The same request again (a double click, a redelivery) expects attempt 1 and changes nothing.
    expect((await rerun(runId, jobId)).changed).toBe(false);
    const run = await sql.workflowRun.findUniqueOrThrow({ where: { id: runId } });
    expect([run.status, run.runAttempt, run.finishedAt, run.startedAt]).toEqual(["QUEUED", 2, null, null]);
    const job = await sql.jobRun.findUniqueOrThrow({ where: { id: jobId } });
    expect(job).toMatchObject({ status: "QUEUED", attempt: 1, maxAttempts: 4, runAttempt: 2, outputs: null, failureKind: null, failureReason: null, finishedAt: null, poolId: null, readyAt: null, heldByConcurrency: false });
    const history = await sql.stateTransition.findMany({ where: { entityId: { in: [runId, jobId] }, toStatus: "QUEUED" } });
    expect(history.map((row) => [row.entity, row.fromStatus, row.reason])).toEqual(
      expect.arrayContaining([
        ["WorkflowRun", "FAILED", "re-run by a test (run attempt 2)"],
        ["JobRun", "FAILED", "re-run by a test (run attempt 2)"],
      ]),
    );
    // The next assignment is attempt 2, under run attempt 2; attempt 1's row stays.
    await transitions.markJobWaiting(sql, ctx, jobId);
    const assigned = await transitions.assignJob(sql, ctx, { jobId, expectedAttempt: 1, leaseMs: 30_000 });
    expect(assigned?.attempt).toBe(2);
    expect((await sql.jobAttempt.findUniqueOrThrow({ where: { id: assigned?.attemptId ?? "" } })).runAttempt).toBe(2);
  });

  it("of ten racing re-runs of one run attempt exactly one wins", async () => {
    const { runId, jobId } = await jobIn("SUCCEEDED", 1);
    await transitions.finishRun(sql, ctx, runId, "SUCCEEDED");
    const results = await Promise.all(Array.from({ length: 10 }, () => rerun(runId, jobId)));
    expect(results.filter((result) => result.changed)).toHaveLength(1);
    expect((await sql.workflowRun.findUniqueOrThrow({ where: { id: runId } })).runAttempt).toBe(2);
  });
});

describe("attempt transitions and leases", () => {
  async function attemptIn(status: AttemptStatus, leaseSeconds: number) {
    const { jobId } = await jobIn("WAITING", 0);
    const assignment = await transitions.assignJob(sql, ctx, { jobId, expectedAttempt: 0, leaseMs: 30_000 });
    if (!assignment) throw new Error("assignment failed");
    await sql.$executeRaw`UPDATE "JobAttempt" SET status = ${status}::"AttemptStatus",
      "leaseExpiresAt" = now() + make_interval(secs => ${leaseSeconds}) WHERE id = ${assignment.attemptId}`;
    return assignment.attemptId;
  }
  const attemptStatus = async (id: string) => (await sql.jobAttempt.findUniqueOrThrow({ where: { id } })).status;

  const ATTEMPT_TRANSITIONS: { name: string; from: AttemptStatus[]; to: AttemptStatus; leaseLive: boolean; call: (id: string) => Promise<{ changed: boolean }> }[] = [
    { name: "markAttemptRunning", from: ["ASSIGNED"], to: "RUNNING", leaseLive: true, call: (id) => transitions.markAttemptRunning(sql, ctx, id) },
    { name: "finishAttempt(SUCCEEDED)", from: ["ASSIGNED", "RUNNING"], to: "SUCCEEDED", leaseLive: true, call: (id) => transitions.finishAttempt(sql, ctx, id, "SUCCEEDED") },
    { name: "finishAttempt(CANCELED)", from: ["ASSIGNED", "RUNNING"], to: "CANCELED", leaseLive: true, call: (id) => transitions.finishAttempt(sql, ctx, id, "CANCELED") },
    { name: "markAttemptLost", from: ["ASSIGNED", "RUNNING"], to: "LOST", leaseLive: false, call: (id) => transitions.markAttemptLost(sql, ctx, id) },
  ];

  for (const transition of ATTEMPT_TRANSITIONS) {
    for (const start of ATTEMPT_STATUSES) {
      for (const live of [true, false]) {
        const legal = transition.from.includes(start) && transition.leaseLive === live;
        it(`${transition.name} from ${start} with a ${live ? "live" : "lapsed"} lease is ${legal ? "applied" : "a no-op"}`, async () => {
          const id = await attemptIn(start, live ? 30 : -1);
          expect((await transition.call(id)).changed).toBe(legal);
          expect(await attemptStatus(id)).toBe(legal ? transition.to : start);
        });
      }
    }
  }

  it("a heartbeat renews a live lease but cannot revive a lapsed one", async () => {
    const live = await attemptIn("RUNNING", 5);
    expect(await transitions.renewLease(sql, ctx, live, 30_000)).toBe(true);
    const lapsed = await attemptIn("RUNNING", -1);
    expect(await transitions.renewLease(sql, ctx, lapsed, 30_000)).toBe(false);
    const lost = await attemptIn("LOST", 30);
    expect(await transitions.renewLease(sql, ctx, lost, 30_000)).toBe(false);
  });
});

describe("concurrent writers on one row", () => {
  it("of two racing conclusions exactly one wins, every time", async () => {
    for (let round = 0; round < 20; round++) {
      const { jobId } = await jobIn("RUNNING", 1);
      const results = await Promise.all([
        transitions.finishJob(sql, ctx, jobId, 1, "SUCCEEDED"),
        transitions.cancelJob(sql, ctx, jobId),
      ]);
      expect(results.filter((r) => r.changed)).toHaveLength(1);
      const winner = results[0]?.changed ? "SUCCEEDED" : "CANCELED";
      expect(await jobStatus(jobId)).toBe(winner);
      expect(await sql.stateTransition.count({ where: { entityId: jobId } })).toBe(1);
    }
  });

  it("of ten schedulers assigning one job exactly one gets it", async () => {
    const { jobId } = await jobIn("WAITING", 0);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => transitions.assignJob(sql, ctx, { jobId, expectedAttempt: 0, leaseMs: 30_000 })),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await sql.jobAttempt.count({ where: { jobRunId: jobId } })).toBe(1);
  });

  it("the reaper and a late heartbeat race: the attempt is either renewed or lost, never both", async () => {
    for (let round = 0; round < 10; round++) {
      const { jobId } = await jobIn("WAITING", 0);
      const a = await transitions.assignJob(sql, ctx, { jobId, expectedAttempt: 0, leaseMs: 30_000 });
      if (!a) throw new Error("assignment failed");
      await sql.$executeRaw`UPDATE "JobAttempt" SET "leaseExpiresAt" = now() WHERE id = ${a.attemptId}`;
      const [lost, renewed] = await Promise.all([
        transitions.markAttemptLost(sql, ctx, a.attemptId),
        transitions.renewLease(sql, ctx, a.attemptId, 30_000),
      ]);
      expect(lost.changed && renewed).toBe(false);
    }
  });
});

describe("tenancy of transitions", () => {
  it("another tenant's context cannot move a job", async () => {
    const other = await seedTenant(db, "other");
    const { jobId } = await jobIn("QUEUED");
    expect((await transitions.markJobWaiting(sql, other, jobId)).changed).toBe(false);
    expect(await jobStatus(jobId)).toBe("QUEUED");
  });
});
