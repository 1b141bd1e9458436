// putBack: a claim handed back unused (the engine's claim of a runner the job avoids) returns the job to its place,
// frees the slot and refunds the charge, so fairness, caps and rate limits are as if it had never been claimed.
import { afterAll, describe, expect, it } from "vitest";
import { expectPlacementInvariant } from "./helpers";
import { schedulingFixture } from "./redis-fixture";

const fx = schedulingFixture("put-back");
afterAll(() => fx.close());

const job = (poolId: string, jobId: string, tenantId: string, enqueuedAtMs: number) => ({ poolId, tenantId, jobId, priorityClass: "push" as const, enqueuedAtMs });

describe("putBack", () => {
  it("returns the job to its place, uncharged: the next claim picks exactly what it would have", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await s.enqueue(job(pool, "a1", "a", 10));
    await s.enqueue(job(pool, "a2", "a", 20));
    await s.enqueue(job(pool, "b1", "b", 15));
    const before = (await s.stats(pool)).tenants;
    const claimed = await s.claim(pool, 100);
    expect(claimed?.jobId).toBe("a1");
    expect(await s.putBack(pool, claimed ?? { jobId: "", tenantId: "", priorityClass: "push", enqueuedAtMs: 0 })).toBe(true);
    expect((await s.stats(pool)).tenants).toEqual(before);
    await expectPlacementInvariant(s, pool);
    expect((await s.claim(pool, 100))?.jobId).toBe("a1");
    expect((await s.claim(pool, 100))?.jobId).toBe("b1");
    expect((await s.claim(pool, 100))?.jobId).toBe("a2");
  });

  it("frees a capped tenant's slot and gives back its rate token; a second putBack is a no-op", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await s.setTenantPolicy(pool, "t", { weight: 1, maxConcurrent: 1, ratePerSec: 0.001, burst: 1 });
    await s.enqueue(job(pool, "j1", "t", 10));
    await s.enqueue(job(pool, "j2", "t", 20));
    const claimed = await s.claim(pool, 100);
    expect(claimed?.jobId).toBe("j1");
    // At its cap and out of tokens: nothing more until the claim is handed back.
    expect(await s.claim(pool, 100)).toBeNull();
    if (!claimed) throw new Error("no claim");
    expect(await s.putBack(pool, claimed)).toBe(true);
    expect(await s.putBack(pool, claimed)).toBe(false);
    await expectPlacementInvariant(s, pool);
    expect((await s.claim(pool, 100))?.jobId).toBe("j1");
    expect(await s.depth(pool)).toBe(1);
  });
});
