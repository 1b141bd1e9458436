// Issue 15: Redis losing its data (a FLUSHALL, a restart without persistence) and Postgres dropping every connection, mid-run, through the assembled product
// (the runner routes over HTTP, a started worker, a real runner agent) with nothing restarted. A 12-cell matrix runs
// on a runner of 4 slots; while the first 4 cells run, the platform's own Redis is flushed (a private redis-server:
// the shared one serves other test files) or every backend of its own database is terminated (what a Postgres
// restart does to the pools); then the cells are let go. Every cell must succeed, each on one attempt, and after
// the loss of Redis's data the next claim must come within seconds (the worker notices the missing marker and
// rebuilds). Without the watch (GANTRY_REDIS_WATCH_INTERVAL_MS of an hour) no cell was claimed within 60 s.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "pg";
import type { Assignment } from "@gantry/runner-protocol";
import { compileWorkflow } from "@gantry/workflow-schema";
import { startAgent, type AgentHandle, type JobOutcome } from "../../apps/runner/src/index";
import { parseRunnerEnv } from "../../apps/runner/src/env";
import { startControlPlane, until, type ControlPlane } from "./control-plane";
import { privateRedisUnavailable, startPrivateRedis, type PrivateRedis } from "./private-redis";

const CELLS = 12;
const SLOTS = 4;
const WORKFLOW = `
name: CI
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        shard: [${Array.from({ length: CELLS }, (_, i) => i + 1).join(", ")}]
    steps:
      - run: echo "shard \${{ matrix.shard }}"
`;

const unavailable = privateRedisUnavailable();
if (unavailable) console.warn(`redis-flush: skipping: ${unavailable}`);

let redis: PrivateRedis;
let cp: ControlPlane;
let agent: AgentHandle | undefined;
const lines: string[] = [];
/** What the routes threw (each answered 500, as under Next): only while the database's connections were cut. */
const routeErrors: unknown[] = [];
/** When each assignment reached the executor (ms since the epoch). */
const claims: number[] = [];
/** Cells hold until let go, while `holding`; each waiting cell's resolver, oldest first. */
let holding = true;
const waiting: (() => void)[] = [];

/** Lets the `count` oldest holding cells go on; without a count, every cell, and later ones do not hold. */
function letGo(count?: number) {
  if (count === undefined) holding = false;
  for (const resolve of waiting.splice(0, count ?? waiting.length)) resolve();
}

beforeAll(async () => {
  if (unavailable) return;
  redis = await startPrivateRedis();
  cp = await startControlPlane({ redisUrl: redis.url, log: (line) => lines.push(line), onRouteError: (error) => routeErrors.push(error) });
  const executor = async (_assignment: Assignment): Promise<JobOutcome> => {
    claims.push(Date.now());
    if (holding) await new Promise<void>((resolve) => waiting.push(resolve));
    return { conclusion: "SUCCEEDED", outputs: {} };
  };
  agent = startAgent(
    parseRunnerEnv({ GANTRY_URL: cp.url, GANTRY_RUNNER_TOKEN: cp.registrationToken, GANTRY_RUNNER_NAME: "flush", GANTRY_RUNNER_CAPACITY: String(SLOTS), GANTRY_RUNNER_DEV_MODE: "1" }),
    { executor, log: (line) => lines.push(line) },
  );
});
afterAll(async () => {
  letGo();
  agent?.stop();
  await agent?.done.catch(() => undefined);
  await cp?.close();
  await redis?.stop();
});

/** Starts the matrix with the cells holding, and resolves once SLOTS of them run. */
async function startHeldMatrix(): Promise<string> {
  holding = true;
  claims.length = 0;
  const { plan, errors } = compileWorkflow(WORKFLOW, ".gantry/workflows/ci.yml");
  if (!plan) throw new Error(JSON.stringify(errors));
  const runId = await cp.startRun(plan);
  await until(
    `${SLOTS} cells to run`,
    async () => ((await cp.db.system("test").jobAttempt.count({ where: { job: { runId }, status: "RUNNING" } })) === SLOTS ? true : undefined),
  );
  return runId;
}

async function concluded(runId: string, ms: number) {
  return until(
    `the run to conclude\n${lines.join("\n")}`,
    async () => {
      // The test's own pool loses its connections too when they are cut: a probe that fails on one asks again.
      const run = await cp.db
        .system("test")
        .workflowRun.findUniqueOrThrow({ where: { id: runId }, include: { jobs: { include: { attempts: true } } } })
        .catch((error: unknown) => (String(error).includes("terminating connection") ? undefined : Promise.reject(error)));
      return run && ["SUCCEEDED", "FAILED", "CANCELED"].includes(run.status) ? run : undefined;
    },
    ms,
  );
}

function expectEveryCellSucceededOnce(run: Awaited<ReturnType<typeof concluded>>) {
  expect(run.status).toBe("SUCCEEDED");
  const cells = run.jobs.filter((job) => job.key.startsWith("test") && job.status !== "SKIPPED");
  expect(cells).toHaveLength(CELLS);
  for (const cell of cells) {
    expect(cell.status).toBe("SUCCEEDED");
    expect(cell.attempts.map((attempt) => attempt.status)).toEqual(["SUCCEEDED"]);
  }
}

/**
 * Holds the matrix, loses Redis's data by `lose`, lets one cell end (its slot is free, the 8 waiting cells are gone
 * from Redis), waits for the next claim, then lets the rest go: claims resume within seconds, the 3 cells still
 * holding through the rebuild are claimed again (not given twice), and every cell succeeds.
 */
async function survivesRedisLoss(what: string, lose: () => Promise<void>) {
  const runId = await startHeldMatrix();
  lines.length = 0;
  const lostAt = Date.now();
  await lose();
  letGo(1);
  // The watcher checks every 2 s (GANTRY_REDIS_WATCH_INTERVAL_MS) and on reconnect; the periodic reconciliation,
  // had it survived, runs every 30 s.
  const firstClaim = await until(`a claim after the loss\n${lines.join("\n")}`, async () => claims[SLOTS], 10_000);
  const rebuilt = await until("the rebuild's log line", async () => lines.find((line) => line.startsWith("redis: rebuilt")));
  letGo();
  const run = await concluded(runId, 60_000);
  console.log(`${what}: first claim ${firstClaim - lostAt} ms after it, run concluded ${Date.now() - lostAt} ms after it; ${rebuilt}`);
  expectEveryCellSucceededOnce(run);
  expect(routeErrors).toEqual([]);
  expect(lines).toContain("redis: lost its data (marker missing); rebuilding from Postgres");
  // The periodic jobs are back: later losses of single keys are reconciled again.
  const schedulers = await cp.worker.queues.queue("gantry-maintenance").getJobSchedulers();
  expect(schedulers.map((scheduler) => scheduler.key).sort()).toEqual(["reap-leases", "reconcile-queues", "sweep-deliveries"]);
}

describe.skipIf(unavailable !== null)("the platform survives its stores losing state mid-run, without a restart of its own parts", () => {
  it("Redis flushed mid-run: the worker notices within seconds, rebuilds from Postgres, and every cell succeeds", async () => {
    await survivesRedisLoss("flush", () => redis.client.flushall().then(() => undefined));
  });

  it("Redis restarted empty mid-run (no persistence): the reconnect is noticed, and every cell succeeds", async () => {
    await survivesRedisLoss("restart", () => redis.restart());
  });

  it("Postgres drops every connection mid-run (as on its restart): every cell still succeeds", async () => {
    const runId = await startHeldMatrix();
    const admin = new Client({ connectionString: cp.databaseUrl.replace(/\/[^/?]+(\?|$)/, "/postgres$1") });
    await admin.connect();
    const database = new URL(cp.databaseUrl).pathname.slice(1);
    const { rowCount } = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database]);
    await admin.end();
    expect(rowCount).toBeGreaterThan(0);
    letGo();
    expectEveryCellSucceededOnce(await concluded(runId, 60_000));
    // A route caught on a dropped connection answered 500 (the runner retried); nothing else went wrong.
    for (const error of routeErrors) expect(String(error)).toMatch(/terminating connection due to administrator command|Connection terminated/);
  });
});
