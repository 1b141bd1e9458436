/**
 * Benchmark `recovery`: 10,000 ready jobs across 50 tenants (and 200 running) live in Postgres and in the fair
 * queues; then Redis loses every key (the test prefix's keys are deleted, as FLUSHALL would) and the worker's
 * reconciliation rebuilds the queues from Postgres. Reports the rebuild time and checks the rebuilt queue depth.
 * Run: npx tsx bench/recovery.ts   (Postgres server: GANTRY_TEST_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/postgres;
 * Redis: GANTRY_BENCH_REDIS_URL or redis://127.0.0.1:6379). Last line: one JSON object.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { openDatabase } from "../packages/db/src/index";
import { createTestDatabase } from "../packages/db/src/testing/index";
import { FairScheduler } from "../packages/scheduler/src/index";
import { makeReadyHandler, rebuildPools, reconcileQueues } from "../packages/engine/src/index";

const READY = 10_000;
const RUNNING = 200;
const TENANTS = 50;

async function main() {
  const database = await createTestDatabase();
  const redisUrl = process.env.GANTRY_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
  const redis = new Redis(redisUrl);
  const prefix = `gantry-bench-${randomBytes(4).toString("hex")}`;
  const db = openDatabase(database.url);
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
    // Redis loses everything.
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    const lost = await scheduler.depth("pool");
    const started = performance.now();
    const restored = await reconcileQueues(db, scheduler, makeReadyHandler(db, scheduler));
    const rebuildMs = performance.now() - started;
    const depthAfter = await scheduler.depth("pool");
    if (depthAfter !== depthBefore) throw new Error(`rebuilt depth ${depthAfter} ≠ ${depthBefore}`);

    console.log(`recovery: ${READY} ready + ${RUNNING} running jobs, ${TENANTS} tenants, one pool`);
    console.log(`  before loss: depth ${depthBefore} (initial rebuild placed ${first.ready} ready, ${first.claimed} running)`);
    console.log(`  after deleting every key: depth ${lost}`);
    console.log(`  reconcile (read Postgres + rebuild Redis): ${rebuildMs.toFixed(0)} ms → depth ${depthAfter}, ${restored.claimed} running`);
    console.log(JSON.stringify({ recovery: { readyJobs: READY, runningJobs: RUNNING, tenants: TENANTS, rebuildMs: Math.round(rebuildMs), depthAfter } }));
  } finally {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await db.close();
    await database.drop();
  }
}

await main();
