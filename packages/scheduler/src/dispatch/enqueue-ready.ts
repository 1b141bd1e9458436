// Ready jobs (WAITING, not held by a concurrency group) go to their pool's fair queue. The pool, the class and
// the ready time are written to Postgres first, so that a rebuild puts each job back exactly where it was.
import { transitions, type Database, type TenantContext } from "@gantry/db";
import { z } from "zod";
import type { FairScheduler } from "../fair-scheduler";
import { policyFromTenantPlan } from "../policy";
import { choosePool } from "./pools";
import { classOfRank, priorityClassOf, rankOf } from "./priority-of";

const plannedJobs = z.object({ jobs: z.array(z.object({ key: z.string(), environment: z.unknown().optional() }).passthrough()).default([]) });

export interface EnqueueResult {
  enqueued: string[];
  /** Jobs no pool serves: failed with a message naming their labels; the caller advances their runs. */
  unservable: { jobId: string; runId: string }[];
}

export async function enqueueReady(db: Database, scheduler: FairScheduler, ctx: TenantContext, jobIds: string[]): Promise<EnqueueResult> {
  const result: EnqueueResult = { enqueued: [], unservable: [] };
  const jobs = await db.forTenant(ctx).jobRun.findMany({
    where: { id: { in: jobIds }, status: "WAITING", heldByConcurrency: false },
    include: { run: { select: { event: true, plan: true } } },
  });
  const tenant = await db.forTenant(ctx).tenant.findUniqueOrThrow({
    where: { id: ctx.tenantId },
    select: { schedulingWeight: true, maxConcurrentJobs: true, rateLimitPerSec: true, rateLimitBurst: true },
  });
  // The tenant's plan (weight, cap, rate) is in force on a pool from its first job there, not only after a rebuild.
  const policy = policyFromTenantPlan(tenant, tenant.rateLimitPerSec === null ? null : { ratePerSec: tenant.rateLimitPerSec, burst: tenant.rateLimitBurst });
  const policied = new Set<string>();
  for (const job of jobs) {
    const pool = job.poolId ? { id: job.poolId } : await choosePool(db, ctx, job.poolLabels);
    if (!pool) {
      const reason = `no runner pool serves runs-on [${job.poolLabels.join(", ")}]`;
      if ((await transitions.failUnstartedJob(db.system("no pool"), ctx, job.id, reason)).changed) result.unservable.push({ jobId: job.id, runId: job.runId });
      continue;
    }
    const planned = plannedJobs.safeParse(job.run.plan);
    const hasEnvironment = planned.success && planned.data.jobs.some((p) => p.key === job.key && p.environment !== undefined);
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
