// Issue 5's recovery test: 200 runs through two worker processes that are killed with SIGKILL and restarted at
// seeded random moments, Redis losing every key mid-run, simulated runners that vanish without a word (their
// leases lapse), report twice, or report late. Every run must reach the right end and every job succeed once.
// The keys go right after a worker was restarted, so its start-up rebuild alone could restore them; Redis losing its
// data with nothing restarted is redis-flush.e2e.test.ts.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { intake, openDatabase, transitions, type Database, type TenantContext } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { Queues } from "@gantry/jobs";
import { FairScheduler } from "@gantry/scheduler";
import { advanceRun, claimJob, completeAttempt, makeReadyHandler } from "@gantry/engine";
import prand from "pure-rand";
import { testRedis, TEST_REDIS_URL as REDIS_URL } from "@gantry/testing";

const root = path.resolve(import.meta.dirname, "../..");
const keys = testRedis("chaos");
const { prefix } = keys;
const RUNS = 200;
const RUNNERS = 12;
const LEASE_MS = 1500;

/** Seeded (pure-rand's xoroshiro128+): so a failure replays with the same seed. */
function rng(seed: number): () => number {
  const generator = prand.xoroshiro128plus(seed);
  return () => prand.unsafeUniformIntDistribution(0, 0xffffffff, generator) / 0x1_0000_0000;
}

let testDb: TestDatabase;
let db: Database;
let redis: Redis;
let scheduler: FairScheduler;
let queues: Queues;
const workers: (ChildProcess | undefined)[] = [undefined, undefined];

function startWorkerProcess(index: number): ChildProcess {
  const child = spawn(path.join(root, "node_modules/.bin/tsx"), ["apps/worker/src/main.ts"], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: testDb.url,
      REDIS_URL,
      GANTRY_QUEUE_PREFIX: prefix,
      GANTRY_WORKER_ID: `${prefix}-w${index}-${Date.now()}`,
      GANTRY_REAP_INTERVAL_MS: "300",
      GANTRY_RECONCILE_INTERVAL_MS: "1000",
    },
    stdio: "ignore",
    detached: true,
  });
  workers[index] = child;
  return child;
}

function kill(child: ChildProcess | undefined) {
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url, { poolSize: 16 });
  redis = keys.connect();
  scheduler = new FairScheduler({ redis, prefix });
  queues = new Queues(redis, prefix);
  const sys = db.system("test");
  // A pool shared by the operator with every tenant below.
  await sys.runnerPool.create({ data: { id: "pool", shared: true, name: "default", labels: ["ubuntu-latest"], provider: "PROCESS", registrationTokenHash: "x" } });
  for (let t = 0; t < 4; t++) {
    await sys.tenant.create({ data: { id: `t${t}`, slug: `t${t}`, name: `t${t}`, maxConcurrentJobs: 50 } });
    await sys.repository.create({ data: { id: `r${t}`, tenantId: `t${t}`, fullName: `t${t}/app` } });
    await sys.runnerPoolTenant.create({ data: { poolId: "pool", tenantId: `t${t}` } });
  }
});
afterAll(async () => {
  workers.forEach(kill);
  await queues?.close();
  await keys.close();
  await db.close();
  await testDb.drop();
});

describe("recovery under chaos", () => {
  it("200 runs all succeed, each job once, through SIGKILLed workers, lost Redis keys and vanishing runners", async () => {
    const random = rng(20261128);
    const ready = makeReadyHandler(db, scheduler);
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const ctx: TenantContext = { tenantId: `t${i % 4}`, actor: { kind: "SYSTEM" } };
      const created = await intake.createRun(db.system("test"), ctx, {
        repositoryId: `r${i % 4}`,
        idempotencyKey: `chaos-${i}`,
        workflowPath: "ci.yml",
        workflowName: "CI",
        event: "push",
        ref: "refs/heads/main",
        sha: "c".repeat(40),
        trusted: true,
        plan: {
          jobs: ["a", "b", "c"].map((key) => ({
            key,
            jobId: key,
            name: key,
            needs: key === "c" ? ["a", "b"] : [],
            runsOn: ["ubuntu-latest"],
            timeoutMinutes: 30,
            continueOnError: false,
            retry: { maxAttempts: 10 },
          })),
        },
      });
      await advanceRun(db, ctx, created.runId, { onReady: (ids) => ready(ctx, ids) });
      runIds.push(created.runId);
    }
    startWorkerProcess(0);
    startWorkerProcess(1);

    let stop = false;
    const stats = { completions: 0, vanished: 0, duplicates: 0, kills: 0, flushes: 0 };
    const runner = async () => {
      while (!stop) {
        const claimed = await claimJob(db, scheduler, { poolId: "pool", leaseMs: LEASE_MS });
        if (!claimed) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        const roll = random();
        if (roll < 0.08) {
          stats.vanished++; // the runner dies: no heartbeat, no report; the lease lapses and the reaper requeues
          continue;
        }
        const ctx: TenantContext = { tenantId: claimed.tenantId, actor: { kind: "RUNNER" } };
        await transitions.markAttemptRunning(db.system("test"), ctx, claimed.attemptId);
        const report = { tenantId: claimed.tenantId, attemptId: claimed.attemptId, conclusion: "SUCCEEDED" as const };
        const result = await completeAttempt(db, scheduler, report);
        if (result.applied) stats.completions++;
        if (roll > 0.9) {
          stats.duplicates++;
          expect((await completeAttempt(db, scheduler, report)).applied).toBe(false);
        }
        if (result.runId) await queues.add("advance-run", { tenantId: claimed.tenantId, runId: result.runId }, `advance-${claimed.attemptId}`);
      }
    };
    const chaos = async () => {
      while (!stop) {
        // A worker needs a couple of seconds to start under tsx: kill one every 1.5–4 s, so both are sometimes down.
        await new Promise((resolve) => setTimeout(resolve, 1500 + random() * 2500));
        if (stop) break;
        const index = random() < 0.5 ? 0 : 1;
        kill(workers[index]);
        stats.kills++;
        startWorkerProcess(index);
        if (stats.kills % 3 === 1) {
          const lost = await keys.keys();
          if (lost.length) await redis.del(...lost);
          stats.flushes++;
        }
      }
    };
    const loops = [...Array.from({ length: RUNNERS }, runner), chaos()];
    const deadline = Date.now() + 420_000;
    let done = 0;
    while (Date.now() < deadline) {
      done = await db.system("test").workflowRun.count({ where: { id: { in: runIds }, status: "SUCCEEDED" } });
      if (done === RUNS) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    stop = true;
    await Promise.all(loops);
    console.log(`chaos: ${JSON.stringify(stats)}`);
    expect(done).toBe(RUNS);
    expect(stats.kills).toBeGreaterThan(3);
    expect(stats.flushes).toBeGreaterThan(0);
    const jobs = await db.system("test").jobRun.findMany({ where: { runId: { in: runIds } }, include: { attempts: true } });
    expect(jobs).toHaveLength(RUNS * 3);
    for (const job of jobs) {
      expect(job.status).toBe("SUCCEEDED");
      // Exactly one attempt succeeded; every other attempt was lost (never two live at once).
      expect(job.attempts.filter((a) => a.status === "SUCCEEDED")).toHaveLength(1);
      expect(job.attempts.every((a) => a.status === "SUCCEEDED" || a.status === "LOST")).toBe(true);
      const live = job.attempts.map((a) => [a.createdAt.getTime(), (a.finishedAt ?? new Date()).getTime()] as const).sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < live.length; i++) expect(live[i]?.[0] ?? 0).toBeGreaterThanOrEqual(live[i - 1]?.[1] ?? 0);
    }
    expect(jobs.some((job) => job.attempts.length > 1)).toBe(stats.vanished > 0);
  });
});
