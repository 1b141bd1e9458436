/**
 * Benchmark `recovery`: 10,000 ready jobs across 50 tenants (and 200 running) live in Postgres and in the fair
 * queues; then Redis loses every key (the test prefix's keys are deleted, as FLUSHALL would: the shared Redis is
 * never flushed) and the worker's Redis-loss watch (apps/worker/src/redis-loss/) notices the missing epoch marker and
 * rebuilds from Postgres what the worker would: periodic job schedulers, pools, job timeouts, schedules. Reports the
 * time to notice (the watch checks every 2 s; the keys go just after it started, so this is the worst case) and to
 * rebuild, and checks the rebuilt queue depth.
 * Run: npx tsx bench/recovery.ts   (Postgres server: GANTRY_TEST_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/postgres;
 * Redis: GANTRY_BENCH_REDIS_URL or redis://127.0.0.1:6379). Last line: one JSON object.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { openDatabase } from "../packages/db/src/index";
import { createTestDatabase } from "../packages/db/src/testing/index";
import { FairScheduler } from "../packages/scheduler/src/index";
import { createEngine, rebuildPools } from "../packages/engine/src/index";
import { Queues } from "../packages/jobs/src/index";
import { parseWorkerEnv } from "../apps/worker/src/env";
import { periodicJobs } from "../apps/worker/src/periodic-jobs";
import { markRedisEpoch } from "../apps/worker/src/redis-loss/epoch";
import { rebuildRedisFromPostgres } from "../apps/worker/src/redis-loss/rebuild";
import { watchRedisLoss } from "../apps/worker/src/redis-loss/watch";

const READY = 10_000;
const RUNNING = 200;
const TENANTS = 50;
const WATCH_INTERVAL_MS = 2000;

async function main() {
  const database = await createTestDatabase();
  const redisUrl = process.env.GANTRY_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
  const redis = new Redis(redisUrl);
  const prefix = `gantry-bench-${randomBytes(4).toString("hex")}`;
  const db = openDatabase(database.url);
  const queues = new Queues(redis, prefix);
  try {
    // Bulk rows through plain SQL: the bench measures the rebuild, not the seeding.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(`INSERT INTO "RunnerPool" (id, shared, name, labels, provider, "registrationTokenHash") VALUES ('pool', true, 'default', '{ubuntu-latest}', 'PROCESS', 'x')`);
    for (let t = 0; t < TENANTS; t++) {
      await client.query(`INSERT INTO "Tenant" (id, slug, name) VALUES ($1, $1, $1)`, [`t${t}`]);
      await client.query(`INSERT INTO "Repository" (id, "tenantId", "fullName") VALUES ($1, $2, $3)`, [`r${t}`, `t${t}`, `t${t}/app`]);
      await client.query(`INSERT INTO "RunnerPoolTenant" ("poolId", "tenantId") VALUES ('pool', $1)`, [`t${t}`]);
      await client.query(`INSERT INTO "WorkflowRun" (id, "tenantId", "repositoryId", "idempotencyKey", "workflowPath", "workflowName", event, ref, sha, "runNumber", plan)
        VALUES ($1, $2, $3, $1, 'ci.yml', 'CI', 'push', 'refs/heads/main', $4, 1, '{}')`, [`run${t}`, `t${t}`, `r${t}`, "a".repeat(40)]);
    }
    await client.query(
      `INSERT INTO "JobRun" (id, "tenantId", "runId", key, "jobId", name, status, "poolId", "readyAt", priority, attempt, "startedAt")
       SELECT 'j' || g, 't' || (g % ${TENANTS}), 'run' || (g % ${TENANTS}), 'k' || g, 'k', 'k',
              (CASE WHEN g < ${RUNNING} THEN 'RUNNING' ELSE 'WAITING' END)::"RunStatus", 'pool',
              now() - (g || ' milliseconds')::interval, g % 4, (CASE WHEN g < ${RUNNING} THEN 1 ELSE 0 END), now()
       FROM generate_series(0, ${READY + RUNNING - 1}) AS g`,
    );
    await client.end();

    const scheduler = new FairScheduler({ redis, prefix });
    const first = await rebuildPools(db, scheduler);
    const depthBefore = await scheduler.depth("pool");
    await markRedisEpoch(redis, prefix, "bench");
    const deps = {
      engine: createEngine({ db, scheduler, queues }),
      queues,
      periodic: periodicJobs(parseWorkerEnv({ DATABASE_URL: database.url, REDIS_URL: redisUrl })),
    };
    const timing = { lostAt: 0, noticedAt: 0, rebuiltAt: 0, summary: "" };
    const watch = watchRedisLoss({
      redis,
      prefix,
      owner: "bench",
      intervalMs: WATCH_INTERVAL_MS,
      rebuild: async () => {
        timing.noticedAt = performance.now();
        timing.summary = await rebuildRedisFromPostgres(deps);
        timing.rebuiltAt = performance.now();
        return timing.summary;
      },
      log: () => undefined,
    });
    // Redis loses everything (the epoch marker too).
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    timing.lostAt = performance.now();
    const lost = await scheduler.depth("pool");
    const deadline = Date.now() + 120_000;
    while (timing.rebuiltAt === 0) {
      if (Date.now() > deadline) throw new Error("the watch did not rebuild within 120 s");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await watch.stop();
    const depthAfter = await scheduler.depth("pool");
    if (depthAfter !== depthBefore) throw new Error(`rebuilt depth ${depthAfter} ≠ ${depthBefore}`);
    const noticedMs = timing.noticedAt - timing.lostAt;
    const rebuildMs = timing.rebuiltAt - timing.noticedAt;

    console.log(`recovery: ${READY} ready + ${RUNNING} running jobs, ${TENANTS} tenants, one pool`);
    console.log(`  before loss: depth ${depthBefore} (initial rebuild placed ${first.ready} ready, ${first.claimed} running)`);
    console.log(`  after deleting every key: depth ${lost}`);
    console.log(`  noticed (marker missing, watch every ${WATCH_INTERVAL_MS} ms): ${noticedMs.toFixed(0)} ms after the loss`);
    console.log(`  rebuild (read Postgres + rebuild Redis): ${rebuildMs.toFixed(0)} ms → depth ${depthAfter} (${timing.summary})`);
    console.log(JSON.stringify({ recovery: { readyJobs: READY, runningJobs: RUNNING, tenants: TENANTS, noticedMs: Math.round(noticedMs), rebuildMs: Math.round(rebuildMs), depthAfter } }));
  } finally {
    await queues.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await db.close();
    await database.drop();
  }
}

await main();
