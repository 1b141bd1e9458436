import { afterAll, describe, expect, it } from "vitest";
import { backlog } from "./helpers";
import { schedulingFixture } from "./redis-fixture";

const fx = schedulingFixture("concurrency");
afterAll(() => fx.close());

describe("concurrent claimers", () => {
  it("never hand the same job to two claimers", async () => {
    const pool = fx.pool();
    const setup = fx.scheduler();
    for (let t = 0; t < 10; t += 1) await backlog(setup, pool, `t${t}`, 50);
    await setup.setTenantPolicy(pool, "t3", { weight: 1, maxConcurrent: 7, ratePerSec: null, burst: 1 });

    // 10 connections, 80 claims each, all in flight at once: 800 attempts for 493 claimable jobs.
    const claimers = Array.from({ length: 10 }, () => fx.scheduler());
    const results = await Promise.all(
      claimers.flatMap((s) => Array.from({ length: 80 }, (_, i) => s.claim(pool, 1_000 + i))),
    );
    const ids = results.flatMap((c) => (c === null ? [] : [c.jobId]));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(9 * 50 + 7);
    expect(results.filter((c) => c === null).length).toBe(800 - ids.length);
    const stats = await setup.stats(pool);
    expect({ ready: stats.ready, claimed: stats.claimed }).toEqual({ ready: 43, claimed: 457 });
  });
});
