// Where a job stands in its pool (placeOf): the tenant's own rank exactly, the other tenants' share estimated from
// the weights — checked against what the claims then actually do — and the cap and the rate limit as they are.
import { afterAll, describe, expect, it } from "vitest";
import type { FairScheduler } from "../src";
import { backlog } from "./helpers";
import { schedulingFixture } from "./redis-fixture";

const fx = schedulingFixture("place-of");
afterAll(() => fx.close());

/** How many claims go before `jobId` is claimed (claiming at one instant, nothing released). */
async function claimsBefore(s: FairScheduler, pool: string, jobId: string): Promise<number> {
  for (let n = 0; n < 1000; n++) {
    const claim = await s.claim(pool, 1);
    if (claim === null) throw new Error(`${jobId} was never claimed`);
    if (claim.jobId === jobId) return n;
  }
  throw new Error("runaway");
}

describe("a job's place in its pool", () => {
  it("is ready at its tenant's rank, then claimed; an unknown job is absent", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await backlog(s, pool, "a", 5);
    expect(await s.placeOf(pool, "a", "a-3")).toMatchObject({ state: "ready", ahead: 3, aheadOfOwnTenant: 3, placement: "active", claimed: 0, maxConcurrent: null });
    await s.claim(pool, 1);
    expect(await s.placeOf(pool, "a", "a-0")).toMatchObject({ state: "claimed", ahead: null, claimed: 1 });
    expect(await s.placeOf(pool, "a", "a-3")).toMatchObject({ ahead: 2 });
    expect(await s.placeOf(pool, "a", "nobody")).toMatchObject({ state: "absent", ahead: null });
  });

  it.each([
    [1, 1],
    [3, 1],
    [1, 3],
  ])("estimates other tenants' share within one job of what the claims do (weights %i : %i)", async (weightA, weightB) => {
    const s = fx.scheduler();
    const pool = fx.pool();
    await s.setTenantPolicy(pool, "a", { weight: weightA, maxConcurrent: null, ratePerSec: null, burst: 1 });
    await s.setTenantPolicy(pool, "b", { weight: weightB, maxConcurrent: null, ratePerSec: null, burst: 1 });
    await backlog(s, pool, "a", 30);
    await backlog(s, pool, "b", 30);
    const { ahead } = await s.placeOf(pool, "a", "a-9");
    const actual = await claimsBefore(s, pool, "a-9");
    expect(Math.abs((ahead ?? -100) - actual)).toBeLessThanOrEqual(1);
  });

  it("says when the tenant is at its cap, and when its next token is due", async () => {
    const s = fx.scheduler();
    const capped = fx.pool();
    await s.setTenantPolicy(capped, "a", { weight: 1, maxConcurrent: 2, ratePerSec: null, burst: 1 });
    await backlog(s, capped, "a", 4);
    await s.claimMany(capped, 1, 4);
    expect(await s.placeOf(capped, "a", "a-2")).toMatchObject({ state: "ready", placement: "capped", claimed: 2, maxConcurrent: 2, ahead: 0 });

    const throttled = fx.pool();
    await s.setTenantPolicy(throttled, "a", { weight: 1, maxConcurrent: null, ratePerSec: 0.5, burst: 1 });
    await backlog(s, throttled, "a", 3);
    await s.claimMany(throttled, 1_000, 3);
    expect(await s.placeOf(throttled, "a", "a-1")).toMatchObject({ state: "ready", placement: "throttled", ratePerSec: 0.5, tokenDueAtMs: 3_000 });
  });
});
