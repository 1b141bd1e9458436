/**
 * Benchmark `throughput`: 2,000 simulated runners claim from one pool over several ioredis connections
 * (auto-pipelined). Two phases:
 *   1. saturation — every runner claims, releases at once and claims again: assignments/s is the scheduler's ceiling;
 *   2. paced — each runner holds its job 400 ms (wall clock), offering 5,000 claims/s: the claim round trip measured
 *      there is the decision latency a runner sees at the goal rate (at saturation it is mostly queueing behind the
 *      other 1,999 in-flight claims, printed for reference).
 * Also times `rebuild` of 10,000 ready jobs. Last line of output: one JSON object.
 * Run: npx tsx bench/throughput.ts   (env GANTRY_BENCH_REDIS_URL, GANTRY_BENCH_CONNECTIONS)
 */
import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { Redis } from "ioredis";
import { FairScheduler, priorityClasses, type ReadyEntry } from "../apps/worker/src/scheduling";

const RUNNERS = 2_000;
const TENANTS = 100;
const CONNECTIONS = Number(process.env.GANTRY_BENCH_CONNECTIONS ?? 8);
const SATURATION_MS = 3_000;
const PACED_MS = 5_000;
const PACED_WARMUP_MS = 1_000;
const JOB_MS = 400; // 2,000 runners / 0.4 s = 5,000 claims/s offered
const REDIS_URL = process.env.GANTRY_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** Enqueues `perTenant` jobs for each tenant, spread over the connections. */
async function fill(schedulers: FairScheduler[], poolId: string, perTenant: number): Promise<number> {
  const started = performance.now();
  const pending: Promise<boolean>[] = [];
  for (let i = 0; i < perTenant; i += 1) {
    for (let t = 0; t < TENANTS; t += 1) {
      const s = schedulers[(i * TENANTS + t) % schedulers.length];
      if (s === undefined) continue;
      const priorityClass = priorityClasses[(i + t) % priorityClasses.length] ?? "push";
      pending.push(s.enqueue({ poolId, tenantId: `tenant-${t}`, jobId: `job-${t}-${i}`, priorityClass, enqueuedAtMs: Date.now() }));
    }
    if (pending.length >= 20_000) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  return (perTenant * TENANTS) / ((performance.now() - started) / 1000);
}

/** Redis server CPU seconds so far (user + sys), to tell a busy server from a busy client on a shared machine. */
async function redisCpu(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, "m").exec(info)?.[1] ?? 0);
  return field("used_cpu_user") + field("used_cpu_sys");
}

type Cpu = { nodeCpuPct: number; redisCpuPct: number };

/** Runs a phase and reports the CPU the client process and the Redis server used meanwhile, in % of one core. */
async function withCpu<T>(redis: Redis, phase: () => Promise<T>): Promise<T & Cpu> {
  const [redisBefore, nodeBefore, started] = [await redisCpu(redis), process.cpuUsage(), performance.now()];
  const result = await phase();
  const seconds = (performance.now() - started) / 1000;
  const node = process.cpuUsage(nodeBefore);
  const redisSeconds = (await redisCpu(redis)) - redisBefore;
  return {
    ...result,
    nodeCpuPct: Math.round(((node.user + node.system) / 1e6 / seconds) * 100),
    redisCpuPct: Math.round((redisSeconds / seconds) * 100),
  };
}

async function saturation(schedulers: FairScheduler[], poolId: string) {
  const latencies: number[] = [];
  let assignments = 0;
  const started = performance.now();
  const deadline = started + SATURATION_MS;
  const runner = async (i: number) => {
    const s = schedulers[i % schedulers.length];
    if (s === undefined) return;
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const claim = await s.claim(poolId, Date.now());
      latencies.push(performance.now() - t0);
      if (claim === null) return;
      assignments += 1;
      await s.release(poolId, claim.tenantId, claim.jobId);
    }
  };
  await Promise.all(Array.from({ length: RUNNERS }, (_, i) => runner(i)));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { assignmentsPerSec: assignments / seconds, assignments, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

async function paced(schedulers: FairScheduler[], poolId: string) {
  const latencies: number[] = [];
  let assignments = 0;
  let empty = 0;
  const started = performance.now();
  const measureFrom = started + PACED_WARMUP_MS;
  const deadline = started + PACED_MS;
  const runner = async (i: number) => {
    const s = schedulers[i % schedulers.length];
    if (s === undefined) return;
    await delay(Math.floor((i / RUNNERS) * JOB_MS)); // runners come online spread over one job length
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const claim = await s.claim(poolId, Date.now());
      const t1 = performance.now();
      if (t0 >= measureFrom) {
        latencies.push(t1 - t0);
        if (claim !== null) assignments += 1;
      }
      if (claim === null) {
        empty += 1;
        await delay(JOB_MS);
        continue;
      }
      await delay(JOB_MS);
      await s.release(poolId, claim.tenantId, claim.jobId);
    }
  };
  await Promise.all(Array.from({ length: RUNNERS }, (_, i) => runner(i)));
  latencies.sort((a, b) => a - b);
  return {
    assignmentsPerSec: assignments / ((PACED_MS - PACED_WARMUP_MS) / 1000),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    empty,
  };
}

async function rebuildTime(scheduler: FairScheduler, poolId: string): Promise<number> {
  const entries: ReadyEntry[] = Array.from({ length: 10_000 }, (_, i) => ({
    poolId,
    tenantId: `tenant-${i % TENANTS}`,
    jobId: `job-${i}`,
    priorityClass: priorityClasses[i % priorityClasses.length] ?? "push",
    enqueuedAtMs: 1_000 + i,
  }));
  const started = performance.now();
  const { ready } = await scheduler.rebuild(poolId, entries, []);
  const ms = performance.now() - started;
  if (ready !== entries.length) throw new Error(`rebuild stored ${ready} of ${entries.length}`);
  return ms;
}

async function main(): Promise<void> {
  const prefix = `gantry-bench:throughput:${randomUUID()}`;
  const connections = Array.from({ length: CONNECTIONS }, () => new Redis(REDIS_URL, { enableAutoPipelining: true }));
  const schedulers = connections.map((redis) => new FairScheduler({ redis, prefix }));
  const first = schedulers[0];
  const firstConnection = connections[0];
  if (first === undefined || firstConnection === undefined) throw new Error("GANTRY_BENCH_CONNECTIONS must be ≥ 1");
  try {
    const enqueuePerSec = await fill(schedulers, "saturation", 800);
    const sat = await withCpu(firstConnection, () => saturation(schedulers, "saturation"));
    await fill(schedulers, "paced", Math.ceil((PACED_MS / JOB_MS) * RUNNERS * 1.2) / TENANTS);
    const pace = await withCpu(firstConnection, () => paced(schedulers, "paced"));
    const rebuildMs = await rebuildTime(first, "rebuild");

    console.log(`throughput: ${RUNNERS} runners, ${TENANTS} tenants, ${CONNECTIONS} connections (auto-pipelined)`);
    console.log(`  saturation: ${Math.round(sat.assignmentsPerSec)} assignments/s (${sat.assignments} in ${SATURATION_MS} ms; goal ≥ 5000), claim+release round trip p50 ${round(sat.p50)} ms / p99 ${round(sat.p99)} ms with ${RUNNERS} in flight; CPU node ${sat.nodeCpuPct}% / redis ${sat.redisCpuPct}%`);
    console.log(`  paced at ${Math.round(RUNNERS / (JOB_MS / 1000))}/s offered: ${Math.round(pace.assignmentsPerSec)} assignments/s, claim round trip p50 ${round(pace.p50)} ms / p99 ${round(pace.p99)} ms (goal p99 < 5 ms)${pace.empty > 0 ? `, ${pace.empty} empty claims` : ""}; CPU node ${pace.nodeCpuPct}% / redis ${pace.redisCpuPct}%`);
    console.log(`  enqueue: ${Math.round(enqueuePerSec)} jobs/s; rebuild of 10,000 ready jobs: ${round(rebuildMs, 1)} ms`);
    console.log(
      JSON.stringify({
        throughput: {
          assignmentsPerSec: Math.round(sat.assignmentsPerSec),
          decisionP50Ms: round(pace.p50),
          decisionP99Ms: round(pace.p99),
          pacedAssignmentsPerSec: Math.round(pace.assignmentsPerSec),
          saturationRoundTripP99Ms: round(sat.p99),
          enqueuePerSec: Math.round(enqueuePerSec),
          rebuild10kMs: round(rebuildMs, 1),
        },
      }),
    );
  } finally {
    let cursor = "0";
    do {
      const [next, keys] = await firstConnection.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      if (keys.length > 0) await firstConnection.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    await Promise.all(connections.map((c) => c.quit()));
  }
}

await main();
