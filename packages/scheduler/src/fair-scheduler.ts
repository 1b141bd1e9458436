import type { Redis } from "ioredis";
import { defineSchedulingCommands } from "./commands";
import { DEFAULT_PREFIX, idSchema, poolBase, poolRegistryKey, tenantPolicyRegistryKey } from "./keys";
import { DEFAULT_TENANT_POLICY, policyArgs, tenantPolicySchema, type TenantPolicy } from "./policy";
import { DEFAULT_AGING_STEP_MS, readyScore } from "./priority";
import { announceReady } from "./ready-signal";
import { placeInLine, type PlaceInLine } from "./place-in-line";
import {
  claimReplySchema,
  claimedValueSchema,
  countReplySchema,
  readyValueSchema,
  rebuildReplySchema,
  releaseReplySchema,
  statsReplySchema,
  explainReplySchema,
} from "./replies";
import {
  claimedEntrySchema,
  readyEntrySchema,
  type Claim,
  type ClaimedEntry,
  type ReadyEntry,
  type RemoveOutcome,
} from "./types";
import { z } from "zod";

export type FairSchedulerOptions = {
  redis: Redis;
  /** Key prefix; tests use their own. Default `gantry`. */
  prefix?: string;
  /** Aging step between priority classes, ms (see priority.ts). */
  agingStepMs?: number;
  /** Policy of tenants that have none set on a pool. */
  defaultPolicy?: TenantPolicy;
  /**
   * Charge tenants by runtime instead of by claims: a job that ran this long costs one claim's share, one that ran
   * twice as long two. Needs `ranMs` on release. Unset: every claim costs the same (docs/scheduling.md).
   */
  costReferenceMs?: number;
};

export type PoolStats = z.output<typeof statsReplySchema>;

// Built once: claim and dump are hot enough that per-call schema construction shows up.
const batchSizeSchema = z.number().int().min(1).max(10_000);
const nowSchema = z.number().int().nonnegative();
const ranMsSchema = z.number().nonnegative().finite();
const dumpReplySchema = z.array(z.tuple([z.null(), z.record(z.string(), z.string())])).length(2);

/**
 * Per-pool, per-tenant ready queues in Redis with weighted fair claiming (docs/scheduling.md). Every state change is
 * one Lua script on the pool's keys, so concurrent claimers on any number of connections or workers never share a job.
 * Redis holds only what `rebuild` can recreate from Postgres. Every replica must use the same agingStepMs and
 * defaultPolicy: they shape scores and decisions stored in the shared keys.
 */
export class FairScheduler {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly agingStepMs: number;
  private readonly defaults: [string, string, string, string];
  private readonly registeredPools = new Set<string>();
  private readonly costReferenceMs: number | undefined;

  constructor(options: FairSchedulerOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.agingStepMs = z.number().int().nonnegative().parse(options.agingStepMs ?? DEFAULT_AGING_STEP_MS);
    this.defaults = policyArgs(tenantPolicySchema.parse(options.defaultPolicy ?? DEFAULT_TENANT_POLICY));
    this.costReferenceMs = z.number().positive().optional().parse(options.costReferenceMs);
    defineSchedulingCommands(this.redis);
  }

  /** Adds a ready job; returns false when the job is already ready or claimed on this pool. */
  async enqueue(entry: ReadyEntry): Promise<boolean> {
    const e = readyEntrySchema.parse(entry);
    await this.registerPool(e.poolId);
    const score = readyScore(e.priorityClass, e.enqueuedAtMs, this.agingStepMs);
    const reply = await this.redis.gantrySchedEnqueue(
      this.base(e.poolId),
      ...this.defaults,
      e.jobId,
      e.tenantId,
      e.priorityClass,
      e.enqueuedAtMs,
      score,
    );
    const added = countReplySchema.parse(reply) === 1;
    // Wakes a claim long-polling this pool (ready-signal.ts) instead of leaving the job to its next poll.
    if (added) await announceReady(this.redis, this.prefix, e.poolId, 1);
    return added;
  }

  /**
   * `enqueue` for many jobs in one round trip (a pipeline of the same script, so each job is still one atomic step),
   * and one wake per pool for all of them: a 256-cell matrix is one call, not 256 (issue #15). Per entry, whether it
   * was added.
   */
  async enqueueMany(entries: readonly ReadyEntry[]): Promise<boolean[]> {
    const parsed = entries.map((entry) => readyEntrySchema.parse(entry));
    for (const poolId of new Set(parsed.map((e) => e.poolId))) await this.registerPool(poolId);
    const pipeline = this.redis.pipeline();
    for (const e of parsed) {
      pipeline.gantrySchedEnqueue(this.base(e.poolId), ...this.defaults, e.jobId, e.tenantId, e.priorityClass, e.enqueuedAtMs, readyScore(e.priorityClass, e.enqueuedAtMs, this.agingStepMs));
    }
    const replies = (await pipeline.exec()) ?? [];
    const added = parsed.map((_, i) => {
      const [error, reply] = replies[i] ?? [new Error("enqueueMany: no reply"), null];
      if (error) throw error;
      return countReplySchema.parse(reply) === 1;
    });
    const perPool = new Map<string, number>();
    parsed.forEach((e, i) => {
      if (added[i]) perPool.set(e.poolId, (perPool.get(e.poolId) ?? 0) + 1);
    });
    for (const [poolId, count] of perPool) await announceReady(this.redis, this.prefix, poolId, count);
    return added;
  }

  /** The next job for a free slot of the pool, or null when no tenant with work is eligible at nowMs. */
  async claim(poolId: string, nowMs: number): Promise<Claim | null> {
    return (await this.claimMany(poolId, nowMs, 1))[0] ?? null;
  }

  /**
   * Up to `max` jobs in one atomic script, each picked exactly as `claim` would pick it in turn: for a dispatcher that
   * serves many waiting runners per round trip (see ClaimCoalescer).
   */
  async claimMany(poolId: string, nowMs: number, max: number): Promise<Claim[]> {
    const n = batchSizeSchema.parse(max);
    nowSchema.parse(nowMs);
    const rows = claimReplySchema.parse(await this.redis.gantrySchedClaim(this.base(poolId), ...this.defaults, nowMs, n));
    return rows.map((row) => ({ ...row, waitedMs: Math.max(0, nowMs - row.enqueuedAtMs) }));
  }

  /**
   * Frees the tenant's slot when a claimed job ends; false when it was not claimed (already released). `ranMs` is
   * the job's runtime, used only when the scheduler charges by runtime (`costReferenceMs`).
   */
  async release(poolId: string, tenantId: string, jobId: string, ranMs?: number): Promise<boolean> {
    idSchema.parse(tenantId);
    return (await this.releaseMany(poolId, [{ jobId, ranMs }]))[0] === true;
  }

  /** `release` for several jobs in one script; per job, whether its claim was released. */
  async releaseMany(poolId: string, jobs: readonly (string | { jobId: string; ranMs?: number | undefined })[]): Promise<boolean[]> {
    if (jobs.length === 0) return [];
    const args: (string | number)[] = [this.costReferenceMs ?? -1];
    for (const job of jobs) {
      const { jobId, ranMs } = typeof job === "string" ? { jobId: job, ranMs: undefined } : job;
      args.push(idSchema.parse(jobId), ranMs === undefined ? -1 : ranMsSchema.parse(ranMs));
    }
    const reply = releaseReplySchema.parse(await this.redis.gantrySchedRelease(this.base(poolId), ...this.defaults, args));
    if (reply.length !== jobs.length) throw new Error(`release: ${reply.length} results for ${jobs.length} jobs`);
    // A freed slot may let a capped tenant's ready job be claimed: one waiting claim per slot looks again.
    await announceReady(this.redis, this.prefix, poolId, reply.filter((released) => released === 1).length);
    return reply.map((released) => released === 1);
  }

  /**
   * Hands a claim back unused: the job returns to its place in its tenant's queue (same class and ready time) and
   * the claim's charge is refunded, so the next claim — by another runner — can take it as if this one never had.
   * false when it was not claimed. For a claimer that must not run the job (a runner the job avoids).
   */
  async putBack(poolId: string, claim: Pick<Claim, "jobId" | "tenantId" | "priorityClass" | "enqueuedAtMs">): Promise<boolean> {
    idSchema.parse(claim.tenantId);
    const e = readyEntrySchema.parse({ poolId, tenantId: claim.tenantId, jobId: claim.jobId, priorityClass: claim.priorityClass, enqueuedAtMs: claim.enqueuedAtMs });
    const score = readyScore(e.priorityClass, e.enqueuedAtMs, this.agingStepMs);
    const reply = await this.redis.gantrySchedPutBack(this.base(poolId), ...this.defaults, e.jobId, e.priorityClass, e.enqueuedAtMs, score);
    return countReplySchema.parse(reply) === 1;
  }

  /** Cancels a ready job. A claimed job is left alone ("claimed"): its lease owner stops it and releases it. */
  async remove(poolId: string, tenantId: string, jobId: string): Promise<RemoveOutcome> {
    idSchema.parse(tenantId);
    const reply = countReplySchema.parse(
      await this.redis.gantrySchedRemove(this.base(poolId), ...this.defaults, idSchema.parse(jobId)),
    );
    return reply === 1 ? "removed" : reply === 2 ? "claimed" : "absent";
  }

  /**
   * Sets a tenant's policy on one pool, or with poolId null on every pool this prefix knows (and on pools
   * registered later). A pool-specific call made after a tenant-wide one wins on that pool.
   */
  async setTenantPolicy(poolId: string | null, tenantId: string, policy: TenantPolicy): Promise<void> {
    const t = idSchema.parse(tenantId);
    const p = tenantPolicySchema.parse(policy);
    if (poolId !== null) {
      await this.registerPool(poolId);
      await this.applyPolicy(poolId, t, p);
      return;
    }
    await this.redis.hset(tenantPolicyRegistryKey(this.prefix), t, JSON.stringify(p));
    const pools = await this.redis.smembers(poolRegistryKey(this.prefix));
    await Promise.all(pools.map((pool) => this.applyPolicy(pool, t, p)));
  }

  /** Ready jobs waiting on the pool. */
  async depth(poolId: string): Promise<number> {
    return this.redis.hlen(`${this.base(poolId)}:jobs`);
  }

  async stats(poolId: string): Promise<PoolStats> {
    return statsReplySchema.parse(await this.redis.gantrySchedStats(this.base(poolId), ...this.defaults));
  }

  /** Where one job stands in the pool (read-only): ready with its place in line, claimed, or absent. */
  async placeOf(poolId: string, tenantId: string, jobId: string): Promise<PlaceInLine> {
    const reply = await this.redis.gantrySchedExplain(this.base(poolId), ...this.defaults, idSchema.parse(tenantId), idSchema.parse(jobId));
    return placeInLine(explainReplySchema.parse(reply));
  }

  /** The pool's ready and claimed jobs, sorted by job id: what a reconciler compares against Postgres. */
  async dump(poolId: string): Promise<{ ready: ReadyEntry[]; claimed: ClaimedEntry[] }> {
    const base = this.base(poolId);
    const replies = await this.redis.multi().hgetall(`${base}:jobs`).hgetall(`${base}:run`).exec();
    const hashes = dumpReplySchema.parse(replies);
    const [jobs, run] = [hashes[0]?.[1] ?? {}, hashes[1]?.[1] ?? {}];
    const ready = Object.entries(jobs).map(([jobId, v]) => ({ poolId, jobId, ...readyValueSchema.parse(v) }));
    const claimed = Object.entries(run).map(([jobId, v]) => ({ jobId, ...claimedValueSchema.parse(v) }));
    const byJob = (a: { jobId: string }, b: { jobId: string }) => (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0);
    return { ready: ready.sort(byJob), claimed: claimed.sort(byJob) };
  }

  /**
   * Atomically replaces the pool's queues and claims with lists read from Postgres (recovery after Redis lost its
   * keys, or a reconciler's correction). Policies are kept; pass `policies` to (re)set them first. Fair-share
   * history (virtual times, token buckets) restarts from zero.
   */
  async rebuild(
    poolId: string,
    entries: readonly ReadyEntry[],
    running: readonly ClaimedEntry[],
    policies?: ReadonlyMap<string, TenantPolicy>,
  ): Promise<{ ready: number; claimed: number }> {
    // Re-register even if this process did before: after FLUSHALL the registry is gone too.
    this.registeredPools.delete(poolId);
    await this.registerPool(poolId);
    for (const [tenantId, policy] of policies ?? []) await this.applyPolicy(poolId, tenantId, policy);
    const args: (string | number)[] = [entries.length, running.length];
    for (const entry of entries) {
      const e = readyEntrySchema.parse(entry);
      if (e.poolId !== poolId) throw new Error(`rebuild of pool ${poolId} got job ${e.jobId} of pool ${e.poolId}`);
      args.push(e.jobId, e.tenantId, e.priorityClass, e.enqueuedAtMs, readyScore(e.priorityClass, e.enqueuedAtMs, this.agingStepMs));
    }
    for (const entry of running) {
      const r = claimedEntrySchema.parse(entry);
      args.push(r.jobId, r.tenantId, r.claimedAtMs);
    }
    const rebuilt = rebuildReplySchema.parse(await this.redis.gantrySchedRebuild(this.base(poolId), ...this.defaults, args));
    await announceReady(this.redis, this.prefix, poolId, rebuilt.ready);
    return rebuilt;
  }

  private readonly bases = new Map<string, string>();

  private base(poolId: string): string {
    let base = this.bases.get(poolId);
    if (base === undefined) {
      base = poolBase(this.prefix, poolId);
      this.bases.set(poolId, base);
    }
    return base;
  }

  private async applyPolicy(poolId: string, tenantId: string, policy: TenantPolicy): Promise<void> {
    await this.redis.gantrySchedSetPolicy(this.base(poolId), ...this.defaults, tenantId, ...policyArgs(policy));
  }

  /** First sight of a pool under this prefix: record it and give it the tenant-wide policies. */
  private async registerPool(poolId: string): Promise<void> {
    if (this.registeredPools.has(poolId)) return;
    idSchema.parse(poolId);
    const added = await this.redis.sadd(poolRegistryKey(this.prefix), poolId);
    if (added === 1) {
      const wide = await this.redis.hgetall(tenantPolicyRegistryKey(this.prefix));
      for (const [tenantId, json] of Object.entries(wide)) {
        await this.applyPolicy(poolId, tenantId, tenantPolicySchema.parse(JSON.parse(json)));
      }
    }
    this.registeredPools.add(poolId);
  }
}
