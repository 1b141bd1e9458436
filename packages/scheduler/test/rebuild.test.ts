import { afterAll, describe, expect, it } from "vitest";
import { priorityClasses, type FairScheduler, type TenantPolicy } from "../src";
import { expectPlacementInvariant } from "./helpers";
import { schedulingFixture } from "./redis-fixture";

const fx = schedulingFixture("rebuild");
afterAll(() => fx.close());

const policies = new Map<string, TenantPolicy>([
  ["t0", { weight: 2, maxConcurrent: 3, ratePerSec: null, burst: 1 }],
  ["t1", { weight: 1, maxConcurrent: null, ratePerSec: 5, burst: 2 }],
]);

/** Deterministic mixed history: enqueues (with duplicates), claims, releases and removals. */
async function history(s: FairScheduler, pool: string): Promise<void> {
  for (const [tenantId, policy] of policies) await s.setTenantPolicy(pool, tenantId, policy);
  for (let i = 0; i < 120; i += 1) {
    const priorityClass = priorityClasses[i % 4] ?? "push";
    await s.enqueue({ poolId: pool, tenantId: `t${i % 5}`, jobId: `job-${i}`, priorityClass, enqueuedAtMs: 1_000 + i * 7 });
    if (i % 10 === 0) await s.enqueue({ poolId: pool, tenantId: `t${i % 5}`, jobId: `job-${i}`, priorityClass, enqueuedAtMs: 1_000 });
  }
  const claimed = [];
  for (let i = 0; i < 30; i += 1) {
    const c = await s.claim(pool, 2_000);
    if (c !== null) claimed.push(c);
  }
  for (const c of claimed.slice(0, 8)) await s.release(pool, c.tenantId, c.jobId);
  for (let i = 3; i < 120; i += 11) await s.remove(pool, `t${i % 5}`, `job-${i}`);
}

/**
 * What must survive a rebuild: queues, claims, per-tenant counts and placement. Not fair-share history: virtual
 * times and token buckets restart (Postgres does not hold them), so "throttled" comes back as "active".
 */
async function observable(s: FairScheduler, pool: string) {
  const stats = await s.stats(pool);
  return {
    dump: await s.dump(pool),
    depth: await s.depth(pool),
    tenants: stats.tenants.map(({ tenantId, ready, claimed, placement }) => ({
      tenantId,
      ready,
      claimed,
      placement: placement === "throttled" ? "active" : placement,
    })),
  };
}

async function wipePool(pool: string): Promise<void> {
  const redis = fx.connect();
  const keys = await redis.keys(`${fx.prefix}:{pool:${pool}}:*`);
  expect(keys.length).toBeGreaterThan(0);
  await redis.del(...keys);
}

describe("rebuild from Postgres lists", () => {
  it("recreates after losing every key the state that was built incrementally", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await history(s, pool);
    const before = await observable(s, pool);
    expect(before.dump.claimed.length).toBe(22);
    await expectPlacementInvariant(s, pool);

    await wipePool(pool);
    expect(await s.depth(pool)).toBe(0);
    const counts = await s.rebuild(pool, before.dump.ready, before.dump.claimed, policies);
    expect(counts).toEqual({ ready: before.dump.ready.length, claimed: 22 });
    expect(await observable(s, pool)).toEqual(before);
    await expectPlacementInvariant(s, pool);
  });

  it("replaces stale state, collapses duplicates, and treats a job listed both ways as claimed", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await history(s, pool);
    const entry = { poolId: pool, tenantId: "x", priorityClass: "deploy" as const, enqueuedAtMs: 5 };
    const counts = await s.rebuild(
      pool,
      [{ ...entry, jobId: "r1" }, { ...entry, jobId: "r1" }, { ...entry, jobId: "both" }],
      [{ tenantId: "x", jobId: "both", claimedAtMs: 6 }],
    );
    expect(counts).toEqual({ ready: 1, claimed: 1 });
    const dump = await s.dump(pool);
    expect(dump.ready.map((e) => e.jobId)).toEqual(["r1"]);
    expect(dump.claimed).toEqual([{ tenantId: "x", jobId: "both", claimedAtMs: 6 }]);
    // Policies survive a rebuild: t0 still has a cap of 3.
    expect((await s.stats(pool)).tenants.find((t) => t.tenantId === "t0")?.claimed).toBe(0);
    await expectPlacementInvariant(s, pool);
    expect((await s.claim(pool, 10))?.jobId).toBe("r1");
    expect(await s.claim(pool, 10)).toBeNull();
  });

  it("refuses entries of another pool", async () => {
    const s = fx.scheduler();
    await expect(
      s.rebuild("p1", [{ poolId: "p2", tenantId: "t", jobId: "j", priorityClass: "push", enqueuedAtMs: 1 }], []),
    ).rejects.toThrow(/pool p2/);
  });
});
