import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, openDatabase, transitions, type Database, type TenantContext } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { parseWorkerEnv } from "../src/env";
import { timeOutJob } from "@gantry/engine";
import { startWorker } from "../src/worker";
import { testRedis, TEST_REDIS_URL as REDIS_URL } from "@gantry/testing";

let testDb: TestDatabase;
let db: Database;
const ctx: TenantContext = { tenantId: "ten_timeouts", actor: { kind: "SYSTEM" } };

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  await db.system("test").tenant.create({ data: { id: ctx.tenantId, slug: "timeouts", name: "Timeouts" } });
  await db.system("test").repository.create({ data: { id: "repo", tenantId: ctx.tenantId, fullName: "t/app" } });
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
});

async function runningJob() {
  const key = randomBytes(6).toString("hex");
  const sys = db.system("test");
  const created = await intake.createRun(sys, ctx, {
    repositoryId: "repo",
    idempotencyKey: key,
    workflowPath: "ci.yml",
    workflowName: "CI",
    event: "push",
    ref: "refs/heads/main",
    sha: "f".repeat(40),
    trusted: true,
    plan: { jobs: [{ key: "slow", jobId: "slow", name: "slow", needs: [], runsOn: ["x"], timeoutMinutes: 1, continueOnError: false, retry: { maxAttempts: 1 } }] },
  });
  const jobId = created.rootJobIds[0] ?? "";
  await transitions.markJobWaiting(sys, ctx, jobId);
  const assignment = await transitions.assignJob(sys, ctx, { jobId, expectedAttempt: 0, leaseMs: 600_000 });
  if (!assignment) throw new Error("not assigned");
  return { runId: created.runId, jobId, attemptId: assignment.attemptId };
}

describe("job timeouts", () => {
  it("end the running attempt and the job TIMED_OUT, once, and conclude the run", async () => {
    const { runId, jobId, attemptId } = await runningJob();
    expect(await timeOutJob(db, { tenantId: ctx.tenantId, jobId, attempt: 2 })).toBe(false);
    expect(await timeOutJob(db, { tenantId: ctx.tenantId, jobId, attempt: 1 })).toBe(true);
    expect(await timeOutJob(db, { tenantId: ctx.tenantId, jobId, attempt: 1 })).toBe(false);
    const sys = db.system("test");
    expect((await sys.jobRun.findUniqueOrThrow({ where: { id: jobId } })).status).toBe("TIMED_OUT");
    expect((await sys.jobAttempt.findUniqueOrThrow({ where: { id: attemptId } })).status).toBe("TIMED_OUT");
    expect((await sys.workflowRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("FAILED");
  });

  it("are rebuilt from Postgres when a worker starts, and fire when overdue", async () => {
    const { jobId, attemptId } = await runningJob();
    // The attempt started two hours ago with a one-minute timeout, and no timer exists in Redis for it.
    await db.system("test").$executeRaw`UPDATE "JobAttempt" SET "createdAt" = now() - interval '2 hours' WHERE id = ${attemptId}`;
    const keys = testRedis("timeouts");
    const { prefix } = keys;
    const worker = await startWorker(parseWorkerEnv({ DATABASE_URL: testDb.url, REDIS_URL, GANTRY_QUEUE_PREFIX: prefix, GANTRY_WORKER_ID: prefix }), () => undefined);
    try {
      const deadline = Date.now() + 30_000;
      while ((await db.system("test").jobRun.findUniqueOrThrow({ where: { id: jobId } })).status !== "TIMED_OUT") {
        if (Date.now() > deadline) throw new Error("the rebuilt timer did not fire");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await worker.stop();
      await keys.close();
    }
  });
});
