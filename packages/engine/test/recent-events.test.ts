import { describe, expect, it } from "vitest";
import { RecentEvents } from "../src/contexts/recent-events";

describe("the recent events of claimed runs", () => {
  it("reads a run's event once for its jobs, again after a minute, and not a failed read", async () => {
    let now = 0;
    const events = new RecentEvents(() => now);
    let reads = 0;
    const read = async () => ({ ref: `refs/heads/main`, read: ++reads });
    expect(await events.get("t d1 o/r", read)).toEqual({ ref: "refs/heads/main", read: 1 });
    expect(await events.get("t d1 o/r", read)).toEqual({ ref: "refs/heads/main", read: 1 });
    now += 60_000;
    expect(await events.get("t d1 o/r", read)).toEqual({ ref: "refs/heads/main", read: 2 });
    await expect(events.get("t d2 o/r", async () => Promise.reject(new Error("db down")))).rejects.toThrow("db down");
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await events.get("t d2 o/r", read)).toEqual({ ref: "refs/heads/main", read: 3 });
  });

  it("keeps only the latest 32 runs' events", async () => {
    const events = new RecentEvents(() => 0);
    let reads = 0;
    const read = async () => ({ read: ++reads });
    for (let i = 0; i < 33; i++) await events.get(`t d${i} o/r`, read);
    expect(await events.get("t d32 o/r", read)).toEqual({ read: 33 });
    expect(await events.get("t d0 o/r", read)).toEqual({ read: 34 });
  });
});
