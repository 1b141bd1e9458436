// Advances after job ends are coalesced per run (packages/jobs advance-after-job-end.ts): on real BullMQ and Redis,
// a request while one waits is a no-op, a request while one is active runs once after it (never lost), and through
// the real worker a burst of job ends makes fewer advances than ends, and the run still concludes.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, intake, newToken, openDatabase, seedDemo, type Database, type TenantContext } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { jobCatalog, Queues, requestAdvanceAfterJobEnd } from "@gantry/jobs";
import { runJobAsRunner } from "@gantry/engine/testing";
import { parseWorkerEnv } from "../src/env";
import { startWorker, type RunningWorker } from "../src/worker";
import { until } from "@gantry/testing";
import { TEST_REDIS_URL as REDIS_URL } from "@gantry/testing";

const ctx: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };
const queueName = jobCatalog["advance-run"].queue;

let redis: Redis;
const prefixes: string[] = [];
const newPrefix = () => {
  const prefix = `gantry-test-coalesce-${randomBytes(4).toString("hex")}`;
  prefixes.push(prefix);
  return prefix;
};

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  }
  redis.disconnect();
});

describe("coalesced advance requests", () => {
  it("collapse while one waits, and run once more after an active one", async () => {
    const prefix = newPrefix();
    const queues = new Queues(redis, prefix);
    const seen: string[] = [];
    let release: () => void = () => undefined;
    let gate = new Promise<void>((resolve) => (release = resolve));
    const worker = new Worker(
      queueName,
      async (job) => {
        seen.push(String(job.id));
        await gate;
      },
      { connection: redis, prefix, autorun: false },
    );
    try {
      // Nobody processes yet: the second and third requests find the first waiting.
      for (const attempt of ["a1", "a2", "a3"]) await requestAdvanceAfterJobEnd(queues, ctx.tenantId, "run_1", attempt);
      expect(await queues.queue(queueName).getWaitingCount()).toBe(1);
      void worker.run();
      await until("the first advance to be active", async () => seen.length === 1);
      // While it runs: kept (the latest), not run alongside it.
      for (const attempt of ["a4", "a5"]) await requestAdvanceAfterJobEnd(queues, ctx.tenantId, "run_1", attempt);
      expect(await queues.queue(queueName).getWaitingCount()).toBe(0);
      expect(seen).toEqual(["advance-a1"]);
      const releaseFirst = release;
      gate = new Promise<void>((resolve) => (release = resolve));
      releaseFirst();
      await until("the kept request to run after the active one", async () => seen.length === 2);
      expect(seen).toEqual(["advance-a1", "advance-a5"]);
      release();
      await until("both to complete", async () => (await queues.queue(queueName).getCompletedCount()) === 2);
      // Nothing pending any more: the next request is a job of its own.
      await requestAdvanceAfterJobEnd(queues, ctx.tenantId, "run_1", "a6");
      await until("a later request to run", async () => seen.length === 3);
      expect(seen.at(-1)).toBe("advance-a6");
      // Another run's requests are not coalesced with this one's.
      await requestAdvanceAfterJobEnd(queues, ctx.tenantId, "run_2", "b1");
      await until("the other run's advance to run", async () => seen.includes("advance-b1"));
    } finally {
      release();
      await worker.close();
      await queues.close();
    }
  });

  it("make a burst of job ends a few advances, and the run still concludes", async () => {
    const testDb: TestDatabase = await createTestDatabase();
    const db: Database = openDatabase(testDb.url);
    const prefix = newPrefix();
    let worker: RunningWorker | undefined;
    try {
      await seedDemo(db, { repositoryUrl: "/nonexistent", runnerRegistrationToken: newToken("grt") });
      const cells = 32;
      await db.system("test: no cap").tenant.update({ where: { id: DEMO.tenantId }, data: { maxConcurrentJobs: cells } });
      worker = await startWorker(parseWorkerEnv({ DATABASE_URL: testDb.url, REDIS_URL, GANTRY_QUEUE_PREFIX: prefix, GANTRY_WORKER_ID: prefix, GANTRY_RECONCILE_INTERVAL_MS: "3600000" }), () => undefined);
      const keys = Array.from({ length: cells }, (_, i) => `c${i}`);
      const steps = [{ index: 0, if: "success()", run: "true", env: {}, with: {}, continueOnError: false }];
      const created = await intake.createRun(db.system("test"), ctx, {
        repositoryId: DEMO.repositoryId,
        idempotencyKey: randomBytes(8).toString("hex"),
        workflowPath: ".gantry/workflows/burst.yml",
        workflowName: "burst",
        event: "push",
        ref: "refs/heads/main",
        sha: "7".repeat(40),
        trusted: true,
        plan: { jobs: keys.map((key) => ({ key, jobId: key, name: key, needs: [], runsOn: ["ubuntu-latest"], timeoutMinutes: 10, continueOnError: false, retry: { maxAttempts: 1 }, env: {}, outputs: {}, steps })) },
      });
      await worker.engine.startRun(ctx, created.runId);
      // Every job ends, and each end asks for an advance at once, as the complete route does.
      for (const key of keys) await runJobAsRunner(db, ctx, created.runId, key, "SUCCEEDED");
      const attempts = await db.forTenant(ctx).jobAttempt.findMany({ where: { job: { runId: created.runId } }, select: { id: true } });
      expect(attempts).toHaveLength(cells);
      await Promise.all(attempts.map((attempt) => requestAdvanceAfterJobEnd(worker!.queues, ctx.tenantId, created.runId, attempt.id)));
      const run = await until("the run to conclude", async () => {
        const found = await db.forTenant(ctx).workflowRun.findUnique({ where: { id: created.runId }, select: { status: true, finishedAt: true } });
        return found?.finishedAt ? found : undefined;
      });
      expect(run.status).toBe("SUCCEEDED");
      const queue = worker.queues.queue(queueName);
      await until("the advances to settle", async () => (await queue.getActiveCount()) + (await queue.getWaitingCount()) === 0);
      const advances = await queue.getCompletedCount();
      expect(advances).toBeGreaterThanOrEqual(1);
      expect(advances).toBeLessThan(cells / 4);
    } finally {
      await worker?.stop();
      await db.close();
      await testDb.drop();
    }
  });
});
