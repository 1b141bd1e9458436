import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_AGING_STEP_MS, priorityClasses } from "../src";
import { readyScore } from "../src/priority";
import { schedulingFixture } from "./redis-fixture";

const fx = schedulingFixture("priority");
afterAll(() => fx.close());

describe("priority classes within a tenant", () => {
  it("claims deploy, then pull_request, then push, then schedule when enqueued together", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    for (const priorityClass of [...priorityClasses].reverse()) {
      await s.enqueue({ poolId: pool, tenantId: "t", jobId: `job-${priorityClass}`, priorityClass, enqueuedAtMs: 1_000 });
    }
    const order = [];
    for (let i = 0; i < 4; i += 1) order.push((await s.claim(pool, 2_000))?.priorityClass);
    expect(order).toEqual(["deploy", "pull_request", "push", "schedule"]);
  });

  it("is FIFO within a class", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    for (const at of [30, 10, 20]) await s.enqueue({ poolId: pool, tenantId: "t", jobId: `j${at}`, priorityClass: "push", enqueuedAtMs: at });
    const ids = [];
    for (let i = 0; i < 3; i += 1) ids.push((await s.claim(pool, 100))?.jobId);
    expect(ids).toEqual(["j10", "j20", "j30"]);
  });

  it("ages a schedule job past a constant stream of deploys within 3 aging steps plus the backlog ahead of it", async () => {
    const step = 1_000;
    const s = fx.scheduler({ agingStepMs: step });
    const pool = fx.pool();
    await s.enqueue({ poolId: pool, tenantId: "t", jobId: "nightly", priorityClass: "schedule", enqueuedAtMs: 0 });
    // 5 deploys already waiting, then one more every 100 ms while one slot frees every 100 ms: deploys never run out.
    for (let i = 0; i < 5; i += 1) await s.enqueue({ poolId: pool, tenantId: "t", jobId: `d-pre-${i}`, priorityClass: "deploy", enqueuedAtMs: 0 });
    let claimedAt: number | null = null;
    for (let now = 100; now <= 20_000 && claimedAt === null; now += 100) {
      await s.enqueue({ poolId: pool, tenantId: "t", jobId: `d-${now}`, priorityClass: "deploy", enqueuedAtMs: now });
      const claim = await s.claim(pool, now);
      expect(claim).not.toBeNull();
      if (claim?.jobId === "nightly") claimedAt = now;
      else if (claim !== null) await s.release(pool, "t", claim.jobId);
    }
    expect(claimedAt).not.toBeNull();
    // Not before its aging allowance (deploys enqueued up to 3 steps after it still go first) …
    expect(claimedAt).toBeGreaterThan(3 * step);
    // … and not much after: 3 steps + the 5 deploys that were ahead of it + one claim interval.
    expect(claimedAt).toBeLessThanOrEqual(3 * step + 5 * 100 + 100);
  });

  it("uses a documented default aging step and a static score", () => {
    expect(DEFAULT_AGING_STEP_MS).toBe(30_000);
    expect(readyScore("deploy", 500, 1_000)).toBe(500);
    expect(readyScore("schedule", 500, 1_000)).toBe(3_500);
  });

  it("with the default step, a push job yields to deploys enqueued up to 60 s after it, and no longer", async () => {
    const s = fx.scheduler();
    const [early, late] = [fx.pool(), fx.pool()];
    for (const [pool, deployAt] of [[early, 59_999], [late, 60_001]] as const) {
      await s.enqueue({ poolId: pool, tenantId: "t", jobId: "push", priorityClass: "push", enqueuedAtMs: 0 });
      await s.enqueue({ poolId: pool, tenantId: "t", jobId: "deploy", priorityClass: "deploy", enqueuedAtMs: deployAt });
    }
    expect((await s.claim(early, 70_000))?.jobId).toBe("deploy");
    expect((await s.claim(late, 70_000))?.jobId).toBe("push");
  });

  it("does not let one tenant's deploys take another tenant's share", async () => {
    const s = fx.scheduler();
    const pool = fx.pool();
    for (let i = 0; i < 20; i += 1) {
      await s.enqueue({ poolId: pool, tenantId: "deployer", jobId: `d${i}`, priorityClass: "deploy", enqueuedAtMs: 100 });
      await s.enqueue({ poolId: pool, tenantId: "nightly", jobId: `n${i}`, priorityClass: "schedule", enqueuedAtMs: 100 });
    }
    const tenants = [];
    for (let i = 0; i < 10; i += 1) tenants.push((await s.claim(pool, 200))?.tenantId);
    expect(tenants.filter((t) => t === "deployer").length).toBe(5);
    expect(tenants.filter((t) => t === "nightly").length).toBe(5);
  });
});
