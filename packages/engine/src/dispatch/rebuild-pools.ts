// Postgres is the truth (DESIGN.md invariant 2): every pool's ready queue and claimed set are rebuilt from it —
// WAITING jobs not held by a concurrency group are ready (unless an infrastructure retry's backoff has not passed:
// a later pass puts it in line), RUNNING jobs are claimed. Used when a worker starts, periodically, and after Redis
// lost its keys.
import type { Database } from "@gantry/db";
import type { FairScheduler } from "@gantry/scheduler";
import type { ClaimedEntry, ReadyEntry } from "@gantry/scheduler";
import { DEFAULT_TENANT_POLICY, policyFromTenantPlan } from "@gantry/scheduler";
import { classOfRank } from "./priority-of";
import { retryPending } from "./retry-policy";

export async function rebuildPools(db: Database, scheduler: FairScheduler, nowMs: number = Date.now()): Promise<{ pools: number; ready: number; claimed: number }> {
  const sys = db.system("rebuild ready queues from Postgres");
  const pools = await sys.runnerPool.findMany({ select: { id: true } });
  const jobs = await sys.jobRun.findMany({
    where: { poolId: { not: null }, OR: [{ status: "WAITING", heldByConcurrency: false }, { status: "RUNNING" }] },
    select: { id: true, tenantId: true, poolId: true, status: true, priority: true, readyAt: true, retryNotBefore: true, createdAt: true, startedAt: true },
  });
  // Each tenant's weight and cap come from its plan (Tenant row).
  const tenants = await sys.tenant.findMany({
    select: { id: true, schedulingWeight: true, maxConcurrentJobs: true, rateLimitPerSec: true, rateLimitBurst: true },
  });
  const policies = new Map(
    tenants.map((tenant) => [
      tenant.id,
      policyFromTenantPlan(tenant, tenant.rateLimitPerSec === null ? null : { ratePerSec: tenant.rateLimitPerSec, burst: tenant.rateLimitBurst }),
    ]),
  );
  let ready = 0;
  let claimed = 0;
  for (const pool of pools) {
    const mine = jobs.filter((job) => job.poolId === pool.id);
    const entries: ReadyEntry[] = mine
      .filter((job) => job.status === "WAITING" && !retryPending(job.retryNotBefore, nowMs))
      .map((job) => ({ poolId: pool.id, tenantId: job.tenantId, jobId: job.id, priorityClass: classOfRank(job.priority), enqueuedAtMs: (job.readyAt ?? job.createdAt).getTime() }));
    const running: ClaimedEntry[] = mine
      .filter((job) => job.status === "RUNNING")
      .map((job) => ({ tenantId: job.tenantId, jobId: job.id, claimedAtMs: (job.startedAt ?? job.createdAt).getTime() }));
    const involved = new Map([...new Set(mine.map((job) => job.tenantId))].flatMap((id) => (policies.has(id) ? [[id, policies.get(id) ?? DEFAULT_TENANT_POLICY] as const] : [])));
    await scheduler.rebuild(pool.id, entries, running, involved);
    ready += entries.length;
    claimed += running.length;
  }
  return { pools: pools.length, ready, claimed };
}
