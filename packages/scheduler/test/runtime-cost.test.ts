import { afterAll, describe, expect, it } from "vitest";
import type { FairScheduler } from "../src";
import { backlog } from "./helpers";
import { schedulingFixture } from "./redis-fixture";

const fx = schedulingFixture("runtime-cost");
afterAll(() => fx.close());

const RUNTIME: Record<string, number> = { slow: 300, fast: 100 };

/** 4 slots for 6 s of virtual time; returns slot-ms and claims per tenant. */
async function simulate(s: FairScheduler, pool: string) {
  await backlog(s, pool, "slow", 200);
  await backlog(s, pool, "fast", 200);
  const running: { at: number; tenantId: string; jobId: string; ranMs: number }[] = [];
  const slotMs: Record<string, number> = { slow: 0, fast: 0 };
  const claims: Record<string, number> = { slow: 0, fast: 0 };
  let now = 0;
  while (now < 6_000) {
    while (running.length < 4) {
      const c = await s.claim(pool, now);
      if (c === null) break;
      const ranMs = RUNTIME[c.tenantId] ?? 0;
      running.push({ at: now + ranMs, tenantId: c.tenantId, jobId: c.jobId, ranMs });
      slotMs[c.tenantId] = (slotMs[c.tenantId] ?? 0) + ranMs;
      claims[c.tenantId] = (claims[c.tenantId] ?? 0) + 1;
    }
    running.sort((a, b) => a.at - b.at || a.jobId.localeCompare(b.jobId));
    const done = running.shift();
    if (done === undefined) break;
    now = done.at;
    await s.release(pool, done.tenantId, done.jobId, done.ranMs);
  }
  return { slotMs, claims };
}

describe("charging by runtime (costReferenceMs)", () => {
  it("by default shares claims equally, so a tenant with 3× longer jobs gets ~3× the slot time", async () => {
    const { slotMs, claims } = await simulate(fx.scheduler(), fx.pool());
    expect(Math.abs((claims.slow ?? 0) - (claims.fast ?? 0))).toBeLessThanOrEqual(2);
    expect((slotMs.slow ?? 0) / (slotMs.fast ?? 1)).toBeGreaterThan(2.5);
  });

  it("with a cost reference shares slot time instead: the fast tenant gets ~3× the claims", async () => {
    const { slotMs, claims } = await simulate(fx.scheduler({ costReferenceMs: 100 }), fx.pool());
    const ratio = (slotMs.slow ?? 0) / (slotMs.fast ?? 1);
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.25);
    expect((claims.fast ?? 0) / (claims.slow ?? 1)).toBeGreaterThan(2.4);
  });
});
