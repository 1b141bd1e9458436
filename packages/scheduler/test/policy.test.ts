import { afterAll, describe, expect, it } from "vitest";
import { policyFromTenantPlan } from "../src";
import { claimCounts, backlog } from "./helpers";
import { schedulingFixture } from "./redis-fixture";

const fx = schedulingFixture("policy");
afterAll(() => fx.close());

const capOne = { weight: 1, maxConcurrent: 1, ratePerSec: null, burst: 1 };

describe("tenant policies", () => {
  it("applies a tenant-wide policy (poolId null) to known pools and to pools registered later", async () => {
    const s = fx.scheduler();
    const [known, later] = [fx.pool(), fx.pool()];
    await backlog(s, known, "t", 5);
    await s.setTenantPolicy(null, "t", capOne);
    expect(await claimCounts(s, known, 5)).toEqual({ t: 1 });

    // Another worker process (fresh scheduler, same prefix) meets a new pool: the policy is already there.
    const other = fx.scheduler();
    await backlog(other, later, "t", 5);
    expect(await claimCounts(other, later, 5)).toEqual({ t: 1 });
  });

  it("lets a pool-specific policy override the tenant-wide one on that pool", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await s.setTenantPolicy(null, "u", capOne);
    await s.setTenantPolicy(pool, "u", { ...capOne, maxConcurrent: 3 });
    await backlog(s, pool, "u", 5);
    expect(await claimCounts(s, pool, 5)).toEqual({ u: 3 });
  });

  it("uses the scheduler's default policy for tenants without one", async () => {
    const s = fx.scheduler({ defaultPolicy: { weight: 1, maxConcurrent: 2, ratePerSec: null, burst: 1 } });
    const pool = fx.pool();
    await backlog(s, pool, "v", 5);
    expect(await claimCounts(s, pool, 5)).toEqual({ v: 2 });
  });

  it("rejects invalid policies", async () => {
    const s = fx.scheduler();
    await expect(s.setTenantPolicy("p", "t", { weight: 0, maxConcurrent: null, ratePerSec: null, burst: 1 })).rejects.toThrow();
    await expect(s.setTenantPolicy("p", "t", { weight: 1, maxConcurrent: null, ratePerSec: 0, burst: 1 })).rejects.toThrow();
  });

  it("maps a tenant plan row to a policy, with database-shaped ids", async () => {
    const s = fx.scheduler();
    const pool = "pool_Zx9-_aB3kLmN0pQrStUvWx";
    const tenant = "ten_Q1w2E3r4T5y6U7i8O9p0-_";
    await s.setTenantPolicy(pool, tenant, policyFromTenantPlan({ schedulingWeight: 3, maxConcurrentJobs: 2 }));
    for (let i = 0; i < 4; i += 1) {
      await s.enqueue({ poolId: pool, tenantId: tenant, jobId: `job_${i}aBcDeFgHiJkLmNoPqR-_x`, priorityClass: "push", enqueuedAtMs: 1 });
    }
    expect(await claimCounts(s, pool, 4)).toEqual({ [tenant]: 2 });
    expect(policyFromTenantPlan({ schedulingWeight: 1, maxConcurrentJobs: 20 }, { ratePerSec: 5, burst: 10 })).toEqual({
      weight: 1,
      maxConcurrent: 20,
      ratePerSec: 5,
      burst: 10,
    });
  });
});
