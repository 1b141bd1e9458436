// Ready jobs (WAITING, not held by a concurrency group) go to their pool's fair queue. The pool, the class and
// the ready time are written to Postgres first, so that a rebuild puts each job back exactly where it was.
import { poolAccess, transitions, type Database, type TenantContext } from "@gantry/db";
import type { FairScheduler } from "@gantry/scheduler";
import { policyFromTenantPlan } from "@gantry/scheduler";
import { choosePool } from "./pools";
import { classOfRank, priorityClassOf, rankOf } from "./priority-of";

import { referencesSecrets } from "./job-receives-secrets";
import { readPlan, type StoredJob } from "../plan/read-plan";
import { retryPending } from "./retry-policy";

export interface EnqueueResult {
  enqueued: string[];
  /** Jobs no pool serves: failed with a message naming their labels; the caller advances their runs. */
  unservable: { jobId: string; runId: string }[];
}

export async function enqueueReady(db: Database, scheduler: FairScheduler, ctx: TenantContext, jobIds: string[], nowMs: number = Date.now()): Promise<EnqueueResult> {
  const result: EnqueueResult = { enqueued: [], unservable: [] };
  const jobs = await db.forTenant(ctx).jobRun.findMany({
    where: { id: { in: jobIds }, status: "WAITING", heldByConcurrency: false },
    include: { run: { select: { event: true, plan: true, trusted: true } } },
  });
  const tenant = await db.forTenant(ctx).tenant.findUniqueOrThrow({
    where: { id: ctx.tenantId },
    select: { schedulingWeight: true, maxConcurrentJobs: true, rateLimitPerSec: true, rateLimitBurst: true },
  });
  // The tenant's plan (weight, cap, rate) is in force on a pool from its first job there, not only after a rebuild.
  const policy = policyFromTenantPlan(tenant, tenant.rateLimitPerSec === null ? null : { ratePerSec: tenant.rateLimitPerSec, burst: tenant.rateLimitBurst });
  const policied = new Set<string>();
  // The cells of a matrix share labels, trust and plan: each question is asked once per call, and the writes and the
  // enqueue are batched (issue #15: a 256-cell matrix cost five sequential round trips per cell, ~30 s under load).
  const decisions = new Map<string, Awaited<ReturnType<typeof poolFor>>>();
  const placed: { id: string; poolId: string; rank: number; readyAt: Date | null }[] = [];
  // A run's plan is read once for all its jobs here: a 256-cell matrix's plan has 256 entries, and reading it per
  // cell made enqueueing the matrix quadratic.
  const plans = new Map<string, Map<string, StoredJob>>();
  const plannedOf = (job: (typeof jobs)[number]) => {
    let entries = plans.get(job.runId);
    if (!entries) plans.set(job.runId, (entries = new Map((readPlan(job.run.plan)?.jobs ?? []).map((entry) => [entry.key, entry]))));
    return entries.get(job.key);
  };
  for (const job of jobs) {
    // An infrastructure retry waits out its backoff: its timer (or the reconciler, after) enqueues it then.
    if (retryPending(job.retryNotBefore, nowMs)) continue;
    const planned = plannedOf(job);
    const needsSecrets = job.run.trusted && planned !== undefined && referencesSecrets(planned);
    const question = JSON.stringify([job.poolId, job.poolLabels, needsSecrets]);
    let decision = decisions.get(question);
    if (!decision) decisions.set(question, (decision = await poolFor(db, ctx, job, needsSecrets)));
    if (!decision.ok) {
      if ((await transitions.failUnstartedJob(db.system("no pool"), ctx, job.id, decision.reason)).changed) result.unservable.push({ jobId: job.id, runId: job.runId });
      continue;
    }
    const pool = { id: decision.poolId };
    const hasEnvironment = planned?.environment !== undefined;
    const priorityClass = priorityClassOf(job.run.event, hasEnvironment);
    if (!policied.has(pool.id)) {
      await scheduler.setTenantPolicy(pool.id, ctx.tenantId, policy);
      policied.add(pool.id);
    }
    placed.push({ id: job.id, poolId: pool.id, rank: rankOf(priorityClass), readyAt: job.readyAt });
  }
  // Postgres first, so that a rebuild puts each job back exactly where it was: one update per (pool, class).
  const now = new Date(nowMs);
  const groups = new Map<string, { poolId: string; rank: number; ids: string[] }>();
  for (const job of placed) {
    const group = groups.get(`${job.poolId}|${job.rank}`) ?? { poolId: job.poolId, rank: job.rank, ids: [] };
    group.ids.push(job.id);
    groups.set(`${job.poolId}|${job.rank}`, group);
  }
  for (const { poolId, rank, ids } of groups.values()) await db.forTenant(ctx).jobRun.updateMany({ where: { id: { in: ids } }, data: { poolId, priority: rank } });
  const unstamped = placed.filter((job) => job.readyAt === null).map((job) => job.id);
  if (unstamped.length > 0) await db.forTenant(ctx).jobRun.updateMany({ where: { id: { in: unstamped } }, data: { readyAt: now } });
  await scheduler.enqueueMany(placed.map((job) => ({ poolId: job.poolId, tenantId: ctx.tenantId, jobId: job.id, priorityClass: classOfRank(job.rank), enqueuedAtMs: (job.readyAt ?? now).getTime() })));
  result.enqueued.push(...placed.map((job) => job.id));
  return result;
}

/**
 * A job placed before (a retry, a rebuild) keeps its pool while that pool may still serve it; a pool taken away
 * from the tenant since, or no longer trusted with its secrets, is chosen again.
 */
async function poolFor(db: Database, ctx: TenantContext, job: { poolId: string | null; poolLabels: string[] }, needsSecrets: boolean): Promise<{ ok: true; poolId: string } | { ok: false; reason: string }> {
  if (job.poolId) {
    const access = await poolAccess(db, job.poolId, ctx.tenantId);
    if (access.usable && (access.secrets || !needsSecrets)) return { ok: true, poolId: job.poolId };
  }
  const decision = await choosePool(db, ctx, job.poolLabels, needsSecrets);
  return decision.ok ? { ok: true, poolId: decision.pool.id } : decision;
}
