import { afterAll, describe, expect, it } from "vitest";
import { backlog, claimCounts, expectPlacementInvariant } from "./helpers";
import { schedulingFixture } from "./redis-fixture";

const fx = schedulingFixture("fairness");
afterAll(() => fx.close());

describe("weighted fair queuing across tenants", () => {
  it("gives backlogged tenants with equal weights equal shares", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    for (const t of ["a", "b", "c"]) await backlog(s, pool, t, 100);
    expect(await claimCounts(s, pool, 90)).toEqual({ a: 30, b: 30, c: 30 });
    await expectPlacementInvariant(s, pool);
  });

  it("gives a tenant that arrives late its share from now on, not credit for its idle past", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    for (const t of ["a", "b", "c"]) await backlog(s, pool, t, 100);
    await claimCounts(s, pool, 90);
    await backlog(s, pool, "late", 100);
    expect(await claimCounts(s, pool, 40)).toEqual({ a: 10, b: 10, c: 10, late: 10 });
  });

  it("splits claims 2:1 and 3:2:1 by weight", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await s.setTenantPolicy(pool, "heavy", { weight: 2, maxConcurrent: null, ratePerSec: null, burst: 1 });
    for (const t of ["heavy", "light"]) await backlog(s, pool, t, 100);
    expect(await claimCounts(s, pool, 30)).toEqual({ heavy: 20, light: 10 });

    const pool3 = fx.pool();
    for (const [t, weight] of [["w3", 3], ["w2", 2], ["w1", 1]] as const) {
      await s.setTenantPolicy(pool3, t, { weight, maxConcurrent: null, ratePerSec: null, burst: 1 });
      await backlog(s, pool3, t, 100);
    }
    expect(await claimCounts(s, pool3, 60)).toEqual({ w3: 30, w2: 20, w1: 10 });
  });

  it("serves whoever has work when the others are empty (work-conserving)", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await s.setTenantPolicy(pool, "big", { weight: 100, maxConcurrent: null, ratePerSec: null, burst: 1 });
    await backlog(s, pool, "small", 20);
    expect(await claimCounts(s, pool, 25)).toEqual({ small: 20 });
    expect(await s.claim(pool, 1)).toBeNull();
  });
});

describe("per-tenant concurrency caps", () => {
  it("never lets a tenant hold more than maxConcurrent claims, and frees a slot on release", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await s.setTenantPolicy(pool, "capped", { weight: 1, maxConcurrent: 2, ratePerSec: null, burst: 1 });
    await backlog(s, pool, "capped", 10);
    await backlog(s, pool, "free", 10);
    expect(await claimCounts(s, pool, 6)).toEqual({ capped: 2, free: 4 });
    expect((await s.stats(pool)).tenants.find((t) => t.tenantId === "capped")?.placement).toBe("capped");
    await expectPlacementInvariant(s, pool);

    expect(await s.release(pool, "capped", "capped-0")).toBe(true);
    // Its virtual start is behind "free" (it was held back), so the freed slot goes to it.
    expect((await s.claim(pool, 1))?.tenantId).toBe("capped");
    expect(await claimCounts(s, pool, 100)).toEqual({ free: 6 });
    expect(await s.claim(pool, 1)).toBeNull();
  });

  it("applies a lowered cap to a tenant that is already active", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await backlog(s, pool, "t", 10);
    expect(await claimCounts(s, pool, 2)).toEqual({ t: 2 });
    await s.setTenantPolicy(pool, "t", { weight: 1, maxConcurrent: 2, ratePerSec: null, burst: 1 });
    expect(await s.claim(pool, 1)).toBeNull();
    await s.setTenantPolicy(pool, "t", { weight: 1, maxConcurrent: 3, ratePerSec: null, burst: 1 });
    expect((await s.claim(pool, 1))?.tenantId).toBe("t");
    expect(await s.claim(pool, 1)).toBeNull();
  });

  it("treats maxConcurrent 0 as paused", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await s.setTenantPolicy(pool, "paused", { weight: 1, maxConcurrent: 0, ratePerSec: null, burst: 1 });
    await backlog(s, pool, "paused", 3);
    expect(await s.claim(pool, 1)).toBeNull();
  });
});

describe("per-tenant token-bucket rate limits", () => {
  it("allows burst at once, then ratePerSec, and serves others meanwhile", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await s.setTenantPolicy(pool, "limited", { weight: 1, maxConcurrent: null, ratePerSec: 2, burst: 3 });
    await backlog(s, pool, "limited", 100);
    await backlog(s, pool, "other", 100);

    expect(await claimCounts(s, pool, 10, 0)).toEqual({ limited: 3, other: 7 });
    expect((await s.stats(pool)).tenants.find((t) => t.tenantId === "limited")?.placement).toBe("throttled");
    await expectPlacementInvariant(s, pool);

    // Over 10 s of simulated time, claiming every 100 ms: 2/s more, never faster.
    let limited = 0;
    const times: number[] = [];
    for (let now = 100; now <= 10_000; now += 100) {
      const claim = await s.claim(pool, now);
      if (claim?.tenantId === "limited") {
        limited += 1;
        times.push(now);
      }
    }
    expect(limited).toBe(20);
    for (let i = 1; i < times.length; i += 1) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(500);
  });

  it("returns null while the only tenant with work is throttled, then serves it when a token is due", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await s.setTenantPolicy(pool, "t", { weight: 1, maxConcurrent: null, ratePerSec: 1, burst: 1 });
    await backlog(s, pool, "t", 5);
    expect(await s.claim(pool, 1000)).not.toBeNull();
    expect(await s.claim(pool, 1999)).toBeNull();
    expect(await s.claim(pool, 2000)).not.toBeNull();
    expect(await s.claim(pool, 2000)).toBeNull();
  });
});
