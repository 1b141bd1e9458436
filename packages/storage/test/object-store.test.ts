// The directory object store's retention primitives against a real directory: `list`, `touch`, and `collect`,
// whose rename-aside protocol must keep an object a writer touched or named while it was being collected.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { contentObjectKey, DirectoryObjectStore } from "../src/index";

const root = mkdtempSync(path.join(os.tmpdir(), "gantry-store-"));
const store = new DirectoryObjectStore(root);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const HOUR = 3600_000;
const key = (name: string) => contentObjectKey("ten_a", name.padEnd(64, "0"));
/** An object last written `ageMs` ago. */
async function object(name: string, ageMs: number): Promise<string> {
  const k = key(name);
  await store.put(k, Buffer.from(name));
  const then = new Date(Date.now() - ageMs);
  utimesSync(path.join(root, k), then, then);
  return k;
}
const cutoff = () => new Date(Date.now() - HOUR);
const listed = async () => {
  const keys: string[] = [];
  for await (const entry of store.list("cas")) keys.push(entry.key);
  return keys.sort();
};

describe("DirectoryObjectStore retention", () => {
  it("lists objects with their size, never temporary or retiring files", async () => {
    const k = await object("aa", 0);
    writeFileSync(path.join(root, `${k}.123.456.tmp`), "partial");
    writeFileSync(path.join(root, `${k}.123.456.retiring`), "aside");
    expect(await listed()).toEqual([k]);
    for await (const entry of store.list("cas")) expect(entry).toMatchObject({ key: k, sizeBytes: 2 });
    expect(await store.touch(k)).toBe(true);
    expect(await store.touch(key("ab"))).toBe(false);
  });

  it("deletes an old object nothing names; keeps a fresh one and a named one", async () => {
    const old = await object("b1", 2 * HOUR);
    const fresh = await object("b2", 0);
    const named = await object("b3", 2 * HOUR);
    expect(await store.collect(old, cutoff(), async () => false)).toBe("deleted");
    expect(await store.collect(fresh, cutoff(), async () => false)).toBe("kept");
    expect(await store.collect(named, cutoff(), async () => true)).toBe("kept");
    expect(await store.collect(old, cutoff(), async () => false)).toBe("missing");
    expect([await store.exists(old), await store.exists(fresh), await store.exists(named)]).toEqual([false, true, true]);
  });

  it("keeps an object a writer touched between the check and the rename", async () => {
    const k = await object("c1", 2 * HOUR);
    let calls = 0;
    const result = await store.collect(k, cutoff(), async () => {
      calls += 1;
      // The writer found the bytes and touched them just after collect's first look.
      if (calls === 1) expect(await store.touch(k)).toBe(true);
      return false;
    });
    expect(result).toBe("kept");
    expect((await store.get(k)).toString()).toBe("c1");
  });

  it("puts the object back when a row names it by the time of the second check", async () => {
    const k = await object("c2", 2 * HOUR);
    let calls = 0;
    const result = await store.collect(k, cutoff(), async () => {
      calls += 1;
      return calls === 2;
    });
    expect(result).toBe("kept");
    expect((await store.get(k)).toString()).toBe("c2");
  });

  it("leaves the bytes of a writer that found the object gone and wrote it again", async () => {
    const k = await object("c3", 2 * HOUR);
    let calls = 0;
    const result = await store.collect(k, cutoff(), async () => {
      calls += 1;
      if (calls === 2) {
        // After the rename: the writer's touch fails, so it uploads the bytes anew.
        expect(await store.touch(k)).toBe(false);
        await store.put(k, Buffer.from("c3"));
      }
      return false;
    });
    expect(result).toBe("deleted");
    expect((await store.get(k)).toString()).toBe("c3");
  });
});
