// Ready jobs (WAITING, not held by a concurrency group) go to their pool's fair queue. The pool, the class and
// the ready time are written to Postgres first, so that a rebuild puts each job back exactly where it was.
import { poolAccess, transitions, type Database, type TenantContext } from "@gantry/db";
import type { FairScheduler } from "@gantry/scheduler";
import { policyFromTenantPlan } from "@gantry/scheduler";
import { choosePool } from "./pools";
import { classOfRank, priorityClassOf, rankOf } from "./priority-of";

import { jobReceivesSecrets } from "./job-receives-secrets";
import { plannedJob } from "../plan/read-plan";
import { retryPending } from "./retry-policy";

export interface EnqueueResult {
  enqueued: string[];
  /** Jobs no pool serves: failed with a message naming their labels; the caller advances their runs. */
  unservable: { jobId: string; runId: string }[];
}

export async function enqueueReady(db: Database, scheduler: FairScheduler, ctx: TenantContext, jobIds: string[]): Promise<EnqueueResult> {
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
  for (const job of jobs) {
    // An infrastructure retry waits out its backoff: its timer (or the reconciler, after) enqueues it then.
    if (retryPending(job.retryNotBefore)) continue;
    const needsSecrets = job.run.trusted && jobReceivesSecrets(job.run.plan, job.key);
    const decision = await poolFor(db, ctx, job, needsSecrets);
    if (!decision.ok) {
      if ((await transitions.failUnstartedJob(db.system("no pool"), ctx, job.id, decision.reason)).changed) result.unservable.push({ jobId: job.id, runId: job.runId });
      continue;
    }
    const pool = { id: decision.poolId };
    const hasEnvironment = plannedJob(job.run.plan, job.key)?.environment !== undefined;
    const priorityClass = priorityClassOf(job.run.event, hasEnvironment);
    if (!policied.has(pool.id)) {
      await scheduler.setTenantPolicy(pool.id, ctx.tenantId, policy);
      policied.add(pool.id);
    }
    const readyAt = job.readyAt ?? new Date();
    await db.forTenant(ctx).jobRun.updateMany({ where: { id: job.id }, data: { poolId: pool.id, priority: rankOf(priorityClass), readyAt } });
    await scheduler.enqueue({ poolId: pool.id, tenantId: ctx.tenantId, jobId: job.id, priorityClass: classOfRank(rankOf(priorityClass)), enqueuedAtMs: readyAt.getTime() });
    result.enqueued.push(job.id);
  }
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
