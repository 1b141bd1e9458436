import { expect } from "vitest";
import type { FairScheduler, PriorityClass } from "../src";

/** Enqueues `count` jobs `<tenant>-<i>` for a tenant, oldest first. */
export async function backlog(
  scheduler: FairScheduler,
  poolId: string,
  tenantId: string,
  count: number,
  priorityClass: PriorityClass = "push",
  enqueuedAtMs = 0,
): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await scheduler.enqueue({ poolId, tenantId, jobId: `${tenantId}-${i}`, priorityClass, enqueuedAtMs });
  }
}

/** Claims up to `n` times at one instant without releasing, counting claims per tenant. */
export async function claimCounts(scheduler: FairScheduler, poolId: string, n: number, nowMs = 1): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i += 1) {
    const claim = await scheduler.claim(poolId, nowMs);
    if (claim === null) break;
    counts[claim.tenantId] = (counts[claim.tenantId] ?? 0) + 1;
  }
  return counts;
}

/** The script's invariant: a tenant is placed (active, capped or throttled) exactly when it has ready jobs. */
export async function expectPlacementInvariant(scheduler: FairScheduler, poolId: string): Promise<void> {
  const stats = await scheduler.stats(poolId);
  for (const t of stats.tenants) {
    expect({ tenant: t.tenantId, placed: t.placement !== "idle" }).toEqual({ tenant: t.tenantId, placed: t.ready > 0 });
  }
  expect(stats.tenants.reduce((sum, t) => sum + t.ready, 0)).toBe(stats.ready);
}
