// The safety net under every enqueue and release: ready jobs that never reached a queue (no pool chosen yet)
// are enqueued, then every pool is rebuilt from Postgres. After a FLUSHALL this is what restores the queues.
import type { Database } from "@gantry/db";
import { rebuildPools, type FairScheduler } from "@gantry/scheduler";
import type { ReadyHandler } from "../ready-handler";

export async function reconcileQueues(db: Database, scheduler: FairScheduler, ready: ReadyHandler) {
  const unplaced = await db.system("reconcile: ready jobs without a pool").jobRun.findMany({
    where: { status: "WAITING", heldByConcurrency: false, poolId: null },
    select: { id: true, tenantId: true },
  });
  const byTenant = new Map<string, string[]>();
  for (const job of unplaced) byTenant.set(job.tenantId, [...(byTenant.get(job.tenantId) ?? []), job.id]);
  for (const [tenantId, jobIds] of byTenant) await ready({ tenantId, actor: { kind: "SYSTEM", id: "reconcile" } }, jobIds);
  return { placed: unplaced.length, ...(await rebuildPools(db, scheduler)) };
}
