import { afterAll, describe, expect, it } from "vitest";
import { priorityClasses, type Claim } from "../src";
import { expectPlacementInvariant } from "./helpers";
import { schedulingFixture } from "./redis-fixture";
import prand from "pure-rand";

const fx = schedulingFixture("invariants");
afterAll(() => fx.close());

/** Seeded (pure-rand's xoroshiro128+): so a failure replays with the same seed. */
function rng(seed: number): () => number {
  const generator = prand.xoroshiro128plus(seed);
  return () => prand.unsafeUniformIntDistribution(0, 0xffffffff, generator) / 0x1_0000_0000;
}

const CAPS: Record<string, number | null> = { t0: 2, t1: 4, t2: null, t3: 1, t4: null };

describe("random concurrent operations", () => {
  it.each([1, 2, 3])("keep every job in one place, counts consistent and caps respected (seed %i)", async (seed) => {
    const random = rng(seed);
    const pool = fx.pool();
    const workers = Array.from({ length: 6 }, () => fx.scheduler());
    const first = workers[0];
    if (first === undefined) throw new Error("no scheduler");
    for (const [tenantId, maxConcurrent] of Object.entries(CAPS)) {
      await first.setTenantPolicy(pool, tenantId, { weight: 1 + (tenantId.charCodeAt(1) % 3), maxConcurrent, ratePerSec: tenantId === "t4" ? 50 : null, burst: 3 });
    }

    const holding: Claim[] = [];
    let now = 0;
    for (let round = 0; round < 30; round += 1) {
      now += 20;
      const ops: Promise<void>[] = [];
      for (let i = 0; i < 40; i += 1) {
        const s = workers[Math.floor(random() * workers.length)] ?? first;
        const roll = random();
        const tenantId = `t${Math.floor(random() * 5)}`;
        const jobId = `j${Math.floor(random() * 300)}`;
        if (roll < 0.45) {
          const priorityClass = priorityClasses[Math.floor(random() * 4)] ?? "push";
          ops.push(s.enqueue({ poolId: pool, tenantId, jobId: `${tenantId}-${jobId}`, priorityClass, enqueuedAtMs: now }).then(() => undefined));
        } else if (roll < 0.75) {
          ops.push(
            s.claim(pool, now).then((c) => {
              if (c !== null) holding.push(c);
            }),
          );
        } else if (roll < 0.92) {
          const c = holding.splice(Math.floor(random() * holding.length), 1)[0];
          if (c !== undefined) ops.push(s.release(pool, c.tenantId, c.jobId).then(() => undefined));
        } else {
          ops.push(s.remove(pool, tenantId, `${tenantId}-${jobId}`).then(() => undefined));
        }
      }
      await Promise.all(ops);
      const { claimed } = await first.dump(pool);
      for (const [tenantId, cap] of Object.entries(CAPS)) {
        if (cap !== null) expect(claimed.filter((c) => c.tenantId === tenantId).length).toBeLessThanOrEqual(cap);
      }
    }

    const { ready, claimed } = await first.dump(pool);
    const readyIds = new Set(ready.map((e) => e.jobId));
    const claimedIds = claimed.map((c) => c.jobId);
    // The claims we hold are exactly the pool's claimed set, and no job is both ready and claimed.
    expect(claimedIds).toEqual(holding.map((c) => c.jobId).sort());
    for (const id of claimedIds) expect(readyIds.has(id)).toBe(false);
    const stats = await first.stats(pool);
    for (const t of stats.tenants) {
      expect({ tenant: t.tenantId, claimed: t.claimed, ready: t.ready }).toEqual({
        tenant: t.tenantId,
        claimed: claimed.filter((c) => c.tenantId === t.tenantId).length,
        ready: ready.filter((e) => e.tenantId === t.tenantId).length,
      });
    }
    await expectPlacementInvariant(first, pool);

    // Drain: releasing everything and claiming until null leaves nothing behind and never hands out a job twice.
    const expected = [...readyIds].sort();
    await first.releaseMany(pool, claimedIds);
    const seen = new Set<string>();
    // The clock moves 100 ms per claim so that t4's rate limit (50/s) never ends the drain early.
    for (let c = await first.claim(pool, (now += 100)); c !== null; c = await first.claim(pool, (now += 100))) {
      expect(seen.has(c.jobId)).toBe(false);
      seen.add(c.jobId);
      await first.release(pool, c.tenantId, c.jobId);
    }
    expect([...seen].sort()).toEqual(expected);
    expect(await first.depth(pool)).toBe(0);
  });
});
