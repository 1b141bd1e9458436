import { afterAll, describe, expect, it } from "vitest";
import { ClaimCoalescer, type FairScheduler } from "../src";
import { backlog } from "./helpers";
import { schedulingFixture } from "./redis-fixture";

const fx = schedulingFixture("batch");
afterAll(() => fx.close());

async function mixedPool(s: FairScheduler, pool: string): Promise<void> {
  await s.setTenantPolicy(pool, "a", { weight: 3, maxConcurrent: 5, ratePerSec: null, burst: 1 });
  await s.setTenantPolicy(pool, "b", { weight: 1, maxConcurrent: null, ratePerSec: 1, burst: 4 });
  await backlog(s, pool, "a", 20, "deploy");
  await backlog(s, pool, "b", 20, "push");
  await backlog(s, pool, "c", 20, "schedule");
}

describe("claimMany and the claim coalescer", () => {
  it("claimMany gives the same jobs in the same order as that many single claims", async () => {
    const s = fx.scheduler();
    const [one, many] = [fx.pool(), fx.pool()];
    await mixedPool(s, one);
    await mixedPool(s, many);
    const singles = [];
    for (let i = 0; i < 40; i += 1) singles.push(await s.claim(one, 500));
    const batch = await s.claimMany(many, 500, 40);
    expect(batch.map((c) => c.jobId)).toEqual(singles.flatMap((c) => (c === null ? [] : [c.jobId])));
    expect(batch.length).toBe(5 + 4 + 20);
  });

  it("serves many concurrent runners through one connection without duplicates, null for the rest", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    for (let t = 0; t < 5; t += 1) await backlog(s, pool, `t${t}`, 40);
    const coalescer = new ClaimCoalescer(s, 32);
    const burst = (n: number, from: number) => Promise.all(Array.from({ length: n }, (_, i) => coalescer.claim(pool, from + i)));
    const first = await burst(100, 1_000);
    // Equal weights while all are backlogged: 20 each despite the batching.
    const perTenant = new Map<string, number>();
    for (const c of first) if (c !== null) perTenant.set(c.tenantId, (perTenant.get(c.tenantId) ?? 0) + 1);
    expect([...perTenant.values()]).toEqual([20, 20, 20, 20, 20]);

    const second = await burst(200, 2_000);
    const ids = [...first, ...second].flatMap((c) => (c === null ? [] : [c.jobId]));
    expect(ids.length).toBe(200);
    expect(new Set(ids).size).toBe(200);
    expect(second.filter((c) => c === null).length).toBe(100);
  });

  it("releaseMany and the coalescer release each claim once, in one call for many", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await s.setTenantPolicy(pool, "t", { weight: 1, maxConcurrent: 10, ratePerSec: null, burst: 1 });
    await backlog(s, pool, "t", 30);
    const claimed = await s.claimMany(pool, 1, 30);
    expect(claimed.length).toBe(10);
    const ids = claimed.map((c) => c.jobId);
    expect(await s.releaseMany(pool, [ids[0] ?? "", ids[0] ?? "", "unknown", ids[1] ?? ""])).toEqual([true, false, false, true]);

    const coalescer = new ClaimCoalescer(s, 4);
    const released = await Promise.all([...ids, ...ids].map((id) => coalescer.release(pool, "t", id)));
    expect(released.filter(Boolean).length).toBe(8);
    expect((await s.stats(pool)).tenants[0]?.claimed).toBe(0);
    // All ten slots are free again.
    expect((await s.claimMany(pool, 1, 30)).length).toBe(10);
  });
});
