import { describe, expect, it } from "vitest";
import { settleBounded } from "../src/dispatch/settle-bounded";

describe("settleBounded", () => {
  it("runs at most `limit` at once, keeps the items' order, and settles every one, failures included", async () => {
    let running = 0;
    let most = 0;
    const results = await settleBounded([5, 1, 4, 2, 3, 0], 2, async (ms, index) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running -= 1;
      if (index === 3) throw new Error("the fourth failed");
      return ms * 10;
    });
    expect(most).toBe(2);
    expect(results.map((result) => (result.status === "fulfilled" ? result.value : (result.reason as Error).message))).toEqual([50, 10, 40, "the fourth failed", 30, 0]);
  });

  it("settles nothing for no items", async () => {
    expect(await settleBounded([], 4, () => Promise.resolve(1))).toEqual([]);
  });
});
