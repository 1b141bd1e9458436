import { afterAll, describe, expect, it } from "vitest";
import { expectPlacementInvariant } from "./helpers";
import { schedulingFixture } from "./redis-fixture";

const fx = schedulingFixture("idempotency");
afterAll(() => fx.close());

const job = (poolId: string, jobId: string, tenantId = "t") => ({ poolId, tenantId, jobId, priorityClass: "push" as const, enqueuedAtMs: 10 });

describe("idempotent operations", () => {
  it("keeps one entry when a job is enqueued twice, and does not re-queue a claimed job", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    expect(await s.enqueue(job(pool, "j1"))).toBe(true);
    expect(await s.enqueue(job(pool, "j1"))).toBe(false);
    expect(await s.enqueue({ ...job(pool, "j1"), priorityClass: "deploy", enqueuedAtMs: 5 })).toBe(false);
    expect(await s.depth(pool)).toBe(1);
    expect((await s.claim(pool, 20))?.jobId).toBe("j1");
    expect(await s.enqueue(job(pool, "j1"))).toBe(false);
    expect(await s.claim(pool, 20)).toBeNull();
    // After release (e.g. a lost lease being retried) the same job may be queued again.
    expect(await s.release(pool, "t", "j1")).toBe(true);
    expect(await s.enqueue(job(pool, "j1"))).toBe(true);
  });

  it("releases a claim once", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await s.setTenantPolicy(pool, "t", { weight: 1, maxConcurrent: 1, ratePerSec: null, burst: 1 });
    await s.enqueue(job(pool, "j1"));
    await s.enqueue(job(pool, "j2"));
    await s.enqueue(job(pool, "j3"));
    expect((await s.claim(pool, 20))?.jobId).toBe("j1");
    expect(await s.release(pool, "t", "j1")).toBe(true);
    expect(await s.release(pool, "t", "j1")).toBe(false);
    expect((await s.claim(pool, 20))?.jobId).toBe("j2");
    // A duplicate release of j1 must not free j2's slot.
    expect(await s.release(pool, "t", "j1")).toBe(false);
    expect(await s.claim(pool, 20)).toBeNull();
    expect((await s.stats(pool)).tenants[0]?.claimed).toBe(1);
    expect(await s.release(pool, "t", "never-claimed")).toBe(false);
  });

  it("removes a ready job once, reports claimed and unknown jobs, and unplaces an emptied tenant", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await s.enqueue(job(pool, "a1", "a"));
    await s.enqueue(job(pool, "b1", "b"));
    await s.enqueue(job(pool, "b2", "b"));
    expect(await s.remove(pool, "a", "a1")).toBe("removed");
    expect(await s.remove(pool, "a", "a1")).toBe("absent");
    await expectPlacementInvariant(s, pool);
    const claim = await s.claim(pool, 20);
    expect(claim?.jobId).toBe("b1");
    expect(await s.remove(pool, "b", "b1")).toBe("claimed");
    expect(await s.remove(pool, "b", "b2")).toBe("removed");
    expect(await s.claim(pool, 20)).toBeNull();
    expect(await s.depth(pool)).toBe(0);
    await expectPlacementInvariant(s, pool);
  });

  it("rejects ids that would break key names", async () => {
    const s = fx.scheduler();
    await expect(s.enqueue({ ...job("p", "j"), tenantId: "a|b" })).rejects.toThrow();
    await expect(s.claim("pool}x", 1)).rejects.toThrow();
  });
});
