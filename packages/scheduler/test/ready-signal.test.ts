// The wake of long-polling claims (ready-signal.ts) against real Redis: a waiting claim returns at the enqueue, not
// at its fallback; a wake that comes while the claim looks at the queue is kept; other prefixes do not wake it; one
// wake per job by default; a reconnect wakes everyone.
import { afterAll, describe, expect, it } from "vitest";
import { ReadyWaiter, announceReady, readyChannel, type WakePolicy } from "../src";
import { schedulingFixture } from "./redis-fixture";

const fx = schedulingFixture("ready-signal");
const waiters: ReadyWaiter[] = [];
afterAll(async () => {
  await Promise.all(waiters.map((w) => w.close()));
  await fx.close();
});

/** A waiter on a connection of its own (not the fixture's: the waiter quits it). */
function waiter(prefix = fx.prefix, wake?: WakePolicy): { waiter: ReadyWaiter; subscriber: ReturnType<typeof fx.connect> } {
  const subscriber = fx.connect().duplicate();
  const made = new ReadyWaiter({ subscriber, prefix, ...(wake ? { wake } : {}) });
  waiters.push(made);
  return { waiter: made, subscriber };
}

// Long against the wake (a PUBLISH and one message): a wait that ends at the fallback fails the ratio below.
const FALLBACK_MS = 3_000;
const job = (poolId: string, jobId: string) => ({ poolId, tenantId: "t", jobId, priorityClass: "push" as const, enqueuedAtMs: 1 });

describe("ready signal", () => {
  it("wakes a waiting claim at the enqueue, well inside its fallback interval", async () => {
    const scheduler = fx.scheduler();
    const { waiter: w } = waiter();
    const pool = fx.pool();
    const mark = await w.mark(pool);
    expect(await scheduler.claim(pool, 1)).toBeNull();
    const waited = w.wait(pool, mark, FALLBACK_MS);
    const enqueuedAt = performance.now();
    await scheduler.enqueue(job(pool, "j1"));
    expect(await waited).toBe(true);
    const elapsed = performance.now() - enqueuedAt;
    expect(elapsed / FALLBACK_MS).toBeLessThan(0.1);
    expect((await scheduler.claim(pool, 2))?.jobId).toBe("j1");
  });

  it("keeps a wake that came while the claim was looking at the queue", async () => {
    const scheduler = fx.scheduler();
    const { waiter: w } = waiter();
    const pool = fx.pool();
    const mark = await w.mark(pool);
    await scheduler.enqueue(job(pool, "j1"));
    // The message is in flight or delivered; either way the wait must not sleep through it.
    const started = performance.now();
    expect(await w.wait(pool, mark, FALLBACK_MS)).toBe(true);
    expect((performance.now() - started) / FALLBACK_MS).toBeLessThan(0.1);
  });

  it("is not woken by a platform on the same Redis under another prefix", async () => {
    const { waiter: w } = waiter();
    const other = fx.scheduler({}, fx.connect());
    const pool = fx.pool();
    const foreign = `${fx.prefix}-other`;
    expect(readyChannel(foreign, pool)).not.toBe(readyChannel(fx.prefix, pool));
    const mark = await w.mark(pool);
    const waited = w.wait(pool, mark, 300);
    await announceReady(fx.connect(), foreign, pool, 1);
    expect(await waited).toBe(false);
    // The same pool under our prefix does wake it (the channel is the only difference).
    const again = w.wait(pool, await w.mark(pool), FALLBACK_MS);
    await other.enqueue(job(pool, "mine"));
    expect(await again).toBe(true);
  });

  it("wakes one waiting claim per announced job by default, every one with `all`", async () => {
    const scheduler = fx.scheduler();
    for (const [policy, expected] of [["per-job", [true, false, false]], ["all", [true, true, true]]] as const) {
      const { waiter: w } = waiter(fx.prefix, policy);
      const pool = fx.pool();
      const mark = await w.mark(pool);
      const waits = [w.wait(pool, mark, 400), w.wait(pool, mark, 400), w.wait(pool, mark, 400)];
      await scheduler.enqueue(job(pool, "only"));
      expect({ policy, woken: await Promise.all(waits) }).toEqual({ policy, woken: expected });
    }
  });

  it("wakes as many claims as a release frees slots and a rebuild restores jobs", async () => {
    const scheduler = fx.scheduler();
    const { waiter: w } = waiter();
    const pool = fx.pool();
    await scheduler.enqueue(job(pool, "a"));
    await scheduler.enqueue(job(pool, "b"));
    const [a, b] = [await scheduler.claim(pool, 1), await scheduler.claim(pool, 1)];
    expect([a?.jobId, b?.jobId].sort()).toEqual(["a", "b"]);
    let mark = await w.mark(pool);
    let waits = [w.wait(pool, mark, FALLBACK_MS), w.wait(pool, mark, FALLBACK_MS), w.wait(pool, mark, 400)];
    await scheduler.releaseMany(pool, ["a", "b"]);
    expect(await Promise.all(waits)).toEqual([true, true, false]);

    mark = await w.mark(pool);
    waits = [w.wait(pool, mark, FALLBACK_MS), w.wait(pool, mark, 400)];
    await scheduler.rebuild(pool, [job(pool, "c")], []);
    expect(await Promise.all(waits)).toEqual([true, false]);
  });

  it("wakes every waiting claim when its subscriber connection comes back (messages may have been lost)", async () => {
    const { waiter: w, subscriber } = waiter();
    const pool = fx.pool();
    const mark = await w.mark(pool);
    const waits = [w.wait(pool, mark, FALLBACK_MS * 5), w.wait(pool, mark, FALLBACK_MS * 5)];
    subscriber.disconnect(true);
    expect(await Promise.all(waits)).toEqual([true, true]);
    // Subscribed again by ioredis: an enqueue still wakes.
    const scheduler = fx.scheduler();
    const again = w.wait(pool, await w.mark(pool), FALLBACK_MS * 5);
    await expect.poll(async () => (await scheduler.enqueue(job(pool, `after-${Date.now()}`)), w.waitingCount(pool)), { timeout: FALLBACK_MS * 4, interval: 100 }).toBe(0);
    expect(await again).toBe(true);
  });

  it("enqueues many jobs in one call, each at most once, with one wake per job added", async () => {
    const scheduler = fx.scheduler();
    const { waiter: w } = waiter();
    const pool = fx.pool();
    await scheduler.enqueue(job(pool, "old"));
    const mark = await w.mark(pool);
    const waits = [w.wait(pool, mark, FALLBACK_MS), w.wait(pool, mark, FALLBACK_MS), w.wait(pool, mark, 400)];
    expect(await scheduler.enqueueMany([job(pool, "old"), job(pool, "x"), job(pool, "y")])).toEqual([false, true, true]);
    expect(await Promise.all(waits)).toEqual([true, true, false]);
    expect((await scheduler.dump(pool)).ready.map((entry) => entry.jobId)).toEqual(["old", "x", "y"]);
  });

  it("lets only `claimTurns` claims of a pool look at the queue at once, the rest in order of arrival", async () => {
    const made = new ReadyWaiter({ subscriber: fx.connect().duplicate(), prefix: fx.prefix, claimTurns: 2 });
    waiters.push(made);
    const gates: (() => void)[] = [];
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const claims = [0, 1, 2, 3, 4].map((i) =>
      made.inTurn("turns", async () => {
        running += 1;
        most = Math.max(most, running);
        order.push(i);
        await new Promise<void>((resolve) => gates.push(resolve));
        running -= 1;
        return i;
      }),
    );
    // Release the running claims one at a time; each frees a turn for the next in line.
    for (let released = 0; released < 5; released++) {
      await expect.poll(() => gates.length).toBeGreaterThan(released);
      gates[released]?.();
    }
    expect(await Promise.all(claims)).toEqual([0, 1, 2, 3, 4]);
    expect({ most, order }).toEqual({ most: 2, order: [0, 1, 2, 3, 4] });
    // Another pool has turns of its own.
    expect(await made.inTurn("other", async () => "free")).toBe("free");
    // A claim still in line at its deadline gives up (null) without running, and leaves the line.
    const holders: (() => void)[] = [];
    const held = [0, 1].map(() => made.inTurn("full", () => new Promise<string>((resolve) => holders.push(() => resolve("held")))));
    let ran = false;
    expect(await made.inTurn("full", async () => (ran = true), Date.now() + 50)).toBeNull();
    for (const release of holders) release();
    expect({ held: await Promise.all(held), ran }).toEqual({ held: ["held", "held"], ran: false });
    expect(await made.inTurn("full", async () => "next")).toBe("next");
  });
});
