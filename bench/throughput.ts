/**
 * Benchmark `throughput`: 2,000 simulated runners claim from one pool over several ioredis connections
 * (auto-pipelined). Two phases:
 *   1. saturation — every runner claims, releases at once and claims again: assignments/s is the scheduler's ceiling;
 *   2. paced — each runner holds its job 400 ms (wall clock), offering 5,000 claims/s: the claim round trip measured
 *      there is the decision latency a runner sees at the goal rate (at saturation it is mostly queueing behind the
 *      other 1,999 in-flight claims, printed for reference).
 * Also times `rebuild` of 10,000 ready jobs. Last line of output: one JSON object.
 * Run: npx tsx bench/throughput.ts   (env GANTRY_BENCH_REDIS_URL, GANTRY_BENCH_CONNECTIONS, GANTRY_BENCH_RUNNERS)
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import { setTimeout as delay } from "node:timers/promises";
import { Redis } from "ioredis";
import { ClaimCoalescer, DEFAULT_TENANT_POLICY, FairScheduler, priorityClasses, type Claim, type ReadyEntry } from "../packages/scheduler/src";
import { poolBase } from "../packages/scheduler/src/keys";
import { CLAIM_LUA } from "../packages/scheduler/src/lua/claim";
import { policyArgs } from "../packages/scheduler/src/policy";

/**
 * The production claim script, unchanged, wrapped to time itself with Redis TIME: the decision's own cost inside
 * Redis, free of client and OS scheduling delays (which the round-trip figures include).
 */
const TIMED_CLAIM_LUA = `
local t0 = redis.call('TIME')
local function claim()
${CLAIM_LUA}
end
local out = claim()
local t1 = redis.call('TIME')
return {tostring((t1[1] - t0[1]) * 1000000 + (t1[2] - t0[2])), out[1] or '', out[2] or ''}
`;

/** Probes the decision time every 2 ms with single claims while the paced load runs (probe claims are released). */
async function decisionProbe(redis: Redis, scheduler: FairScheduler, prefix: string, poolId: string, untilMs: number, fromMs: number) {
  const sha = String(await redis.script("LOAD", TIMED_CLAIM_LUA));
  const base = poolBase(prefix, poolId);
  const micros: number[] = [];
  while (performance.now() < untilMs) {
    const reply = await redis.evalsha(sha, 1, base, ...policyArgs(DEFAULT_TENANT_POLICY), Date.now(), 1);
    if (!Array.isArray(reply)) throw new Error("timed claim: unexpected reply");
    const [us, jobId, tenantId] = reply.map(String);
    if (performance.now() >= fromMs) micros.push(Number(us));
    if (jobId && tenantId) await scheduler.release(poolId, tenantId, jobId);
    await delay(2);
  }
  micros.sort((a, b) => a - b);
  return { p50: quantile(micros, 0.5) / 1000, p99: quantile(micros, 0.99) / 1000, max: (micros.at(-1) ?? 0) / 1000, n: micros.length };
}

/** How a runner's claim and release reach Redis: one script call each, or coalesced per connection (claimMany / releaseMany). */
type Mode = "direct" | "coalesced";
type Client = {
  claim: (poolId: string, nowMs: number) => Promise<Claim | null>;
  release: (poolId: string, tenantId: string, jobId: string) => Promise<boolean>;
};

function clients(schedulers: FairScheduler[], mode: Mode): Client[] {
  return schedulers.map((s) => (mode === "direct" ? s : new ClaimCoalescer(s)));
}

const RUNNERS = Number(process.env.GANTRY_BENCH_RUNNERS ?? 2_000);
const TENANTS = 100;
const CONNECTIONS = Number(process.env.GANTRY_BENCH_CONNECTIONS ?? 4);
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

type Probe = Awaited<ReturnType<typeof decisionProbe>>;
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

async function saturation(schedulers: FairScheduler[], poolId: string, mode: Mode) {
  const runners = clients(schedulers, mode);
  const latencies: number[] = [];
  let assignments = 0;
  const started = performance.now();
  const deadline = started + SATURATION_MS;
  const runner = async (i: number) => {
    const client = runners[i % runners.length];
    if (client === undefined) return;
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const job = await client.claim(poolId, Date.now());
      latencies.push(performance.now() - t0);
      if (job === null) return;
      assignments += 1;
      await client.release(poolId, job.tenantId, job.jobId);
    }
  };
  await Promise.all(Array.from({ length: RUNNERS }, (_, i) => runner(i)));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { assignmentsPerSec: assignments / seconds, assignments, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

async function paced(schedulers: FairScheduler[], poolId: string, mode: Mode, probe?: (untilMs: number, fromMs: number) => Promise<Probe>) {
  const runners = clients(schedulers, mode);
  const latencies: number[] = [];
  let assignments = 0;
  let empty = 0;
  const started = performance.now();
  const measureFrom = started + PACED_WARMUP_MS;
  const deadline = started + PACED_MS;
  const runner = async (i: number) => {
    const client = runners[i % runners.length];
    if (client === undefined) return;
    await delay(Math.floor((i / RUNNERS) * JOB_MS)); // runners come online spread over one job length
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const job = await client.claim(poolId, Date.now());
      const t1 = performance.now();
      if (t0 >= measureFrom) {
        latencies.push(t1 - t0);
        if (job !== null) assignments += 1;
      }
      if (job === null) {
        empty += 1;
        await delay(JOB_MS);
        continue;
      }
      await delay(JOB_MS);
      await client.release(poolId, job.tenantId, job.jobId);
    }
  };
  const [decision] = await Promise.all([
    probe?.(deadline, measureFrom),
    ...Array.from({ length: RUNNERS }, (_, i) => runner(i)),
  ]);
  latencies.sort((a, b) => a - b);
  return {
    decision,
    assignmentsPerSec: assignments / ((PACED_MS - PACED_WARMUP_MS) / 1000),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    empty,
  };
}

/** One runner claiming and releasing alone, 1,000 times: the claim round trip with nothing else in flight. */
async function idle(scheduler: FairScheduler, poolId: string) {
  const latencies: number[] = [];
  for (let i = 0; i < 1_000; i++) {
    const t0 = performance.now();
    const job = await scheduler.claim(poolId, Date.now());
    latencies.push(performance.now() - t0);
    if (job === null) throw new Error("the idle pool ran dry");
    await scheduler.release(poolId, job.tenantId, job.jobId);
  }
  latencies.sort((a, b) => a - b);
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
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
    await fill(schedulers, "idle", 20);
    const quiet = await idle(first, "idle");
    const enqueuePerSec = await fill(schedulers, "sat-direct", 800);
    const satDirect = await withCpu(firstConnection, () => saturation(schedulers, "sat-direct", "direct"));
    await fill(schedulers, "sat-coalesced", 800);
    const sat = await withCpu(firstConnection, () => saturation(schedulers, "sat-coalesced", "coalesced"));
    // Enough for every runner's cycles plus the decision probe's claims (one per ~2 ms).
    const pacedJobsPerTenant = Math.ceil(((PACED_MS / JOB_MS) * RUNNERS * 1.2 + PACED_MS / 2) / TENANTS);
    await fill(schedulers, "paced-coalesced", pacedJobsPerTenant);
    const probeConnection = new Redis(REDIS_URL);
    connections.push(probeConnection);
    const probe = (untilMs: number, fromMs: number) => decisionProbe(probeConnection, first, prefix, "paced-coalesced", untilMs, fromMs);
    const pace = await withCpu(firstConnection, () => paced(schedulers, "paced-coalesced", "coalesced", probe));
    const decision = pace.decision;
    if (decision === undefined) throw new Error("the decision probe did not run");
    await fill(schedulers, "paced-direct", pacedJobsPerTenant);
    const paceDirect = await withCpu(firstConnection, () => paced(schedulers, "paced-direct", "direct"));
    const rebuildMs = await rebuildTime(first, "rebuild");

    const offered = Math.round(RUNNERS / (JOB_MS / 1000));
    const load = (x: Cpu) => `CPU node ${x.nodeCpuPct}% / redis ${x.redisCpuPct}%`;
    console.log(`throughput: ${RUNNERS} runners, ${TENANTS} tenants, ${CONNECTIONS} connections (auto-pipelined); machine load ${os.loadavg()[0]?.toFixed(1)}`);
    for (const [label, r] of [["coalesced", sat], ["direct", satDirect]] as const) {
      console.log(`  saturation, ${label}: ${Math.round(r.assignmentsPerSec)} assignments/s (goal ≥ 5000); claim round trip p50 ${round(r.p50)} / p99 ${round(r.p99)} ms with ${RUNNERS} in flight; ${load(r)}`);
    }
    for (const [label, r] of [["coalesced", pace], ["direct", paceDirect]] as const) {
      console.log(`  paced ${offered}/s offered, ${label}: ${Math.round(r.assignmentsPerSec)} assignments/s; claim round trip p50 ${round(r.p50)} / p99 ${round(r.p99)} ms (goal p99 < 5)${r.empty > 0 ? `, ${r.empty} empty claims` : ""}; ${load(r)}`);
    }
    console.log(`  decision inside Redis (the claim script timed by Redis TIME, ${decision.n} probes during the paced load): p50 ${round(decision.p50)} / p99 ${round(decision.p99)} / max ${round(decision.max)} ms (goal p99 < 5)`);
    console.log(`  idle: one runner alone, claim round trip p50 ${round(quiet.p50)} / p99 ${round(quiet.p99)} ms (goal p99 < 5)`);
    console.log(`  enqueue: ${Math.round(enqueuePerSec)} jobs/s; rebuild of 10,000 ready jobs: ${round(rebuildMs, 1)} ms`);
    console.log(
      JSON.stringify({
        throughput: {
          assignmentsPerSec: Math.round(sat.assignmentsPerSec),
          decisionP50Ms: round(decision.p50),
          decisionP99Ms: round(decision.p99),
          claimRoundTripP50Ms: round(pace.p50),
          claimRoundTripP99Ms: round(pace.p99),
          idleClaimRoundTripP50Ms: round(quiet.p50),
          idleClaimRoundTripP99Ms: round(quiet.p99),
          assignmentsPerSecDirect: Math.round(satDirect.assignmentsPerSec),
          claimRoundTripP50MsDirect: round(paceDirect.p50),
          claimRoundTripP99MsDirect: round(paceDirect.p99),
          pacedAssignmentsPerSec: Math.round(pace.assignmentsPerSec),
          enqueuePerSec: Math.round(enqueuePerSec),
          rebuild10kMs: round(rebuildMs, 1),
          loadAvg1m: round(os.loadavg()[0] ?? 0, 1),
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
