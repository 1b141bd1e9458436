import { describe, expect, it } from "vitest";
import { GroupCommit } from "../src/server/group-commit";

/** A store whose writes finish only when the test says so, recording each batch. */
function heldStore() {
  const batches: number[][] = [];
  const pending: Array<() => void> = [];
  let failNext = false;
  const write = (items: number[]) => {
    batches.push(items);
    const fail = failNext;
    failNext = false;
    return new Promise<string[]>((resolve, reject) => pending.push(() => (fail ? reject(new Error("store down")) : resolve(items.map((item) => `stored ${item}`)))));
  };
  const finishOne = async () => {
    pending.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { batches, write, finishOne, failNextWrite: () => (failNext = true) };
}

describe("group commit", () => {
  it("writes an item at once when idle, and batches what arrives while writes are in flight", async () => {
    const store = heldStore();
    const group = new GroupCommit(store.write, { maxInFlight: 1, maxBatch: 100 });
    const first = group.submit(1);
    expect(store.batches).toEqual([[1]]);
    const rest = [2, 3, 4].map((item) => group.submit(item));
    expect(store.batches).toEqual([[1]]);
    await store.finishOne();
    expect(await first).toBe("stored 1");
    expect(store.batches).toEqual([[1], [2, 3, 4]]);
    await store.finishOne();
    expect(await Promise.all(rest)).toEqual(["stored 2", "stored 3", "stored 4"]);
  });

  it("keeps maxInFlight writes going and cuts batches at maxBatch", async () => {
    const store = heldStore();
    const group = new GroupCommit(store.write, { maxInFlight: 2, maxBatch: 2 });
    const all = [1, 2, 3, 4, 5, 6, 7].map((item) => group.submit(item));
    expect(store.batches).toEqual([[1], [2]]);
    await store.finishOne();
    expect(store.batches).toEqual([[1], [2], [3, 4]]);
    await store.finishOne();
    await store.finishOne();
    expect(store.batches).toEqual([[1], [2], [3, 4], [5, 6], [7]]);
    await store.finishOne();
    await store.finishOne();
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4, 5, 6, 7].map((item) => `stored ${item}`));
  });

  it("a failed write fails the items of its batch only", async () => {
    const store = heldStore();
    const group = new GroupCommit(store.write, { maxInFlight: 1, maxBatch: 100 });
    const first = group.submit(1);
    const failing = Promise.allSettled([2, 3].map((item) => group.submit(item)));
    store.failNextWrite();
    await store.finishOne();
    expect(await first).toBe("stored 1");
    expect(store.batches).toEqual([[1], [2, 3]]);
    await store.finishOne();
    expect((await failing).map((result) => (result.status === "rejected" ? String(result.reason) : result.value))).toEqual(["Error: store down", "Error: store down"]);
    const later = group.submit(4);
    await store.finishOne();
    expect(await later).toBe("stored 4");
  });

  it("refuses a store that answers a different number of results than items", async () => {
    const group = new GroupCommit(async (items: number[]) => items.slice(1), { maxInFlight: 1, maxBatch: 10 });
    await expect(group.submit(1)).rejects.toThrow("1 items written, 0 results");
  });
});
