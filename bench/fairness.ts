/**
 * Benchmark `fairness`: 100 tenants on one pool of 20 slots; one noisy tenant enqueues 10,000 jobs and 99 quiet
 * ones 10 each, all at t=0 (noisy first, the worst order for FIFO). A discrete-event simulation drives the real Redis
 * scheduler with a virtual clock: jobs last 50–500 ms of simulated time (seeded), so it runs in seconds.
 * Reports Jain's index over the window where every tenant is backlogged, and the quiet tenants' p50/p99 queue wait
 * with and without the noisy tenant, and for contrast the same load through one FIFO queue. Last line of output:
 * one JSON object.
 * Run: npx tsx bench/fairness.ts   (Redis: env GANTRY_BENCH_REDIS_URL, default redis://127.0.0.1:6379)
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { FairScheduler } from "../packages/scheduler/src";
import prand from "pure-rand";

const SLOTS = 20;
const QUIET_TENANTS = 99;
const QUIET_JOBS = 10;
const NOISY_JOBS = 10_000;
const MIN_MS = 50;
const MAX_MS = 500;

/** Seeded (pure-rand's xoroshiro128+): the same durations on every run and in both scenarios. */
function rng(seed: number): () => number {
  const generator = prand.xoroshiro128plus(seed);
  return () => prand.unsafeUniformIntDistribution(0, 0xffffffff, generator) / 0x1_0000_0000;
}

type Done = { at: number; tenantId: string; jobId: string; ranMs: number };

/** Completion events, earliest first (binary heap). */
class EventQueue {
  private readonly heap: Done[] = [];
  get size(): number {
    return this.heap.length;
  }
  push(e: Done): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p];
      if (parent === undefined || parent.at <= e.at) break;
      h[i] = parent;
      i = p;
    }
    h[i] = e;
  }
  pop(): Done | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      let best = last;
      const left = h[l];
      const right = h[r];
      if (left !== undefined && left.at < best.at) {
        m = l;
        best = left;
      }
      if (right !== undefined && right.at < best.at) {
        m = r;
        best = right;
      }
      if (m === i) break;
      h[i] = best;
      i = m;
    }
    h[i] = last;
    return top;
  }
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

function jain(xs: readonly number[]): number {
  const sum = xs.reduce((a, b) => a + b, 0);
  const squares = xs.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 1 : (sum * sum) / (xs.length * squares);
}

type Outcome = { quietWaits: number[]; windowClaims: Map<string, number>; windowServiceMs: Map<string, number>; makespanMs: number; wallMs: number };

/**
 * `fifo` is the baseline without fairness: every job goes into one shared queue in arrival order (the scheduler sees
 * a single tenant), and the real tenant is looked up again on claim.
 */
async function simulate(scheduler: FairScheduler, poolId: string, withNoisy: boolean, fifo = false): Promise<Outcome> {
  const started = performance.now();
  const jobs: Promise<boolean>[] = [];
  const owner = new Map<string, string>();
  let seq = 0;
  const enqueue = (tenantId: string, n: number) => {
    for (let i = 0; i < n; i += 1) {
      seq += 1;
      const jobId = fifo ? `${String(seq).padStart(6, "0")}-${tenantId}-${i}` : `${tenantId}-${i}`;
      owner.set(jobId, tenantId);
      jobs.push(scheduler.enqueue({ poolId, tenantId: fifo ? "everyone" : tenantId, jobId, priorityClass: "push", enqueuedAtMs: 0 }));
    }
  };
  if (withNoisy) enqueue("noisy", NOISY_JOBS);
  for (let t = 0; t < QUIET_TENANTS; t += 1) enqueue(`quiet-${String(t).padStart(2, "0")}`, QUIET_JOBS);
  await Promise.all(jobs);

  const random = rng(42);
  const remaining = new Map<string, number>();
  if (withNoisy) remaining.set("noisy", NOISY_JOBS);
  for (let t = 0; t < QUIET_TENANTS; t += 1) remaining.set(`quiet-${String(t).padStart(2, "0")}`, QUIET_JOBS);

  const events = new EventQueue();
  const quietWaits: number[] = [];
  const windowClaims = new Map<string, number>();
  const windowServiceMs = new Map<string, number>();
  let windowOpen = true; // until the first backlogged tenant's queue empties
  let free = SLOTS;
  let now = 0;
  for (;;) {
    while (free > 0) {
      const claimed = await scheduler.claim(poolId, now);
      if (claimed === null) break;
      const claim = { ...claimed, tenantId: owner.get(claimed.jobId) ?? claimed.tenantId };
      free -= 1;
      const duration = MIN_MS + Math.floor(random() * (MAX_MS - MIN_MS + 1));
      events.push({ at: now + duration, tenantId: claimed.tenantId, jobId: claim.jobId, ranMs: duration });
      if (claim.tenantId !== "noisy") quietWaits.push(claim.waitedMs);
      if (windowOpen) {
        windowClaims.set(claim.tenantId, (windowClaims.get(claim.tenantId) ?? 0) + 1);
        windowServiceMs.set(claim.tenantId, (windowServiceMs.get(claim.tenantId) ?? 0) + duration);
      }
      const left = (remaining.get(claim.tenantId) ?? 0) - 1;
      remaining.set(claim.tenantId, left);
      if (left === 0) windowOpen = false;
    }
    const next = events.pop();
    if (next === undefined) break;
    now = next.at;
    await scheduler.release(poolId, next.tenantId, next.jobId, next.ranMs);
    free += 1;
  }
  const left = [...remaining.values()].reduce((a, b) => a + b, 0);
  if (left !== 0) throw new Error(`simulation ended with ${left} jobs never claimed`);
  quietWaits.sort((a, b) => a - b);
  return { quietWaits, windowClaims, windowServiceMs, makespanMs: now, wallMs: performance.now() - started };
}

async function main(): Promise<void> {
  const redis = new Redis(process.env.GANTRY_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379", { enableAutoPipelining: true });
  const prefix = `gantry-bench:fairness:${randomUUID()}`;
  const scheduler = new FairScheduler({ redis, prefix });
  try {
    const alone = await simulate(scheduler, "alone", false);
    const mixed = await simulate(scheduler, "mixed", true);
    const fifo = await simulate(scheduler, "fifo", true, true);
    // Optional runtime charging (costReferenceMs = the mean job length): fairness in slot-time instead of claims.
    const charged = await simulate(new FairScheduler({ redis, prefix, costReferenceMs: (MIN_MS + MAX_MS) / 2 }), "charged", true);

    const jainClaims = jain([...mixed.windowClaims.values()]);
    const jainService = jain([...mixed.windowServiceMs.values()]);
    const figures = {
      jain: round(jainClaims, 5),
      quietP50MsAlone: quantile(alone.quietWaits, 0.5),
      quietP50MsWithNoisy: quantile(mixed.quietWaits, 0.5),
      quietP99MsAlone: quantile(alone.quietWaits, 0.99),
      quietP99MsWithNoisy: quantile(mixed.quietWaits, 0.99),
    };
    const windowTotal = [...mixed.windowClaims.values()].reduce((a, b) => a + b, 0);
    console.log(`fairness: ${SLOTS} slots, noisy ${NOISY_JOBS} jobs + ${QUIET_TENANTS} quiet × ${QUIET_JOBS}, jobs ${MIN_MS}–${MAX_MS} ms (simulated)`);
    console.log(`  Jain's index over ${mixed.windowClaims.size} backlogged tenants (claims, ${windowTotal} in window): ${figures.jain}  (goal ≥ 0.99)`);
    console.log(`  Jain's index on slot-time in the same window (job lengths are unknown at claim): ${round(jainService, 4)}`);
    console.log(`  quiet wait p50: ${figures.quietP50MsAlone} ms alone, ${figures.quietP50MsWithNoisy} ms with noisy  (×${ratio(figures.quietP50MsWithNoisy, figures.quietP50MsAlone)}, goal ≤ 1.2)`);
    console.log(`  quiet wait p99: ${figures.quietP99MsAlone} ms alone, ${figures.quietP99MsWithNoisy} ms with noisy  (×${ratio(figures.quietP99MsWithNoisy, figures.quietP99MsAlone)}, goal ≤ 1.2)`);
    console.log(`  charging by runtime (costReferenceMs ${(MIN_MS + MAX_MS) / 2}): Jain on slot-time ${round(jain([...charged.windowServiceMs.values()]), 4)}, on claims ${round(jain([...charged.windowClaims.values()]), 4)}; quiet p50/p99 ${quantile(charged.quietWaits, 0.5)}/${quantile(charged.quietWaits, 0.99)} ms`);
    console.log(`  baseline without fairness (one FIFO queue, noisy first): quiet wait p50 ${quantile(fifo.quietWaits, 0.5)} ms, p99 ${quantile(fifo.quietWaits, 0.99)} ms`);
    console.log(`  simulated makespan: ${round(alone.makespanMs / 1000, 1)} s alone, ${round(mixed.makespanMs / 1000, 1)} s with noisy; wall ${Math.round(alone.wallMs + mixed.wallMs + fifo.wallMs + charged.wallMs)} ms`);
    console.log(JSON.stringify({ fairness: figures }));
  } finally {
    await cleanup(redis, prefix);
    await redis.quit();
  }
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

function ratio(a: number, b: number): string {
  return b === 0 ? (a === 0 ? "1.00" : "∞") : (a / b).toFixed(3);
}

async function cleanup(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

await main();
