// Staged uploads against a real directory: an exclusive reservation, parts replaced whole on retry, assembly in
// the order asked into the content-addressed key (nothing stored when a part is missing or the whole too long),
// and the same bytes again only touching the object that is there.
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { contentObjectKey, DirectoryObjectStore, UploadStaging, UploadStagingError } from "../src/index";

const root = mkdtempSync(path.join(os.tmpdir(), "gantry-staging-"));
const store = new DirectoryObjectStore(root);
const staging = new UploadStaging(store);
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function* bytes(...chunks: string[]): AsyncIterable<Uint8Array> {
  for (const chunk of chunks) yield Buffer.from(chunk);
}
const keyOf = (sha256: string) => contentObjectKey("ten_a", sha256);
const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe("UploadStaging", () => {
  it("reserves once, assembles parts in the order asked, and stores the whole content-addressed", async () => {
    expect(await staging.reserve("ten_a", "up-1", { who: "a" })).toBe(true);
    expect(await staging.reserve("ten_a", "up-1", { who: "b" })).toBe(false);
    expect(await staging.meta("ten_a", "up-1")).toEqual({ who: "a" });
    await staging.writePart("ten_a", "up-1", "p2", bytes("wor", "ld"), 100);
    await staging.writePart("ten_a", "up-1", "p1", bytes("stale"), 100);
    // A retried part replaces the earlier one whole.
    expect(await staging.writePart("ten_a", "up-1", "p1", bytes("hello "), 100)).toEqual({ ok: true, sizeBytes: 6 });
    expect((await staging.parts("ten_a", "up-1")).sort((a, b) => a.name.localeCompare(b.name))).toEqual([{ name: "p1", sizeBytes: 6 }, { name: "p2", sizeBytes: 5 }]);
    expect(await staging.assemble("ten_a", "up-1", ["p1", "p2"], keyOf, 100)).toEqual({ ok: true, sha256: sha("hello world"), sizeBytes: 11 });
    expect((await store.get(keyOf(sha("hello world")))).toString()).toBe("hello world");
    await staging.remove("ten_a", "up-1");
    expect(await staging.meta("ten_a", "up-1")).toBeUndefined();
  });

  it("stores nothing when a part is missing, a part or the whole is too long; names must be safe", async () => {
    await staging.reserve("ten_a", "up-2", {});
    expect(await staging.writePart("ten_a", "up-2", "p1", bytes("0123456789"), 5)).toEqual({ ok: false, reason: "too_long" });
    await staging.writePart("ten_a", "up-2", "p1", bytes("abc"), 5);
    expect(await staging.assemble("ten_a", "up-2", ["p1", "p9"], keyOf, 100)).toEqual({ ok: false, reason: "missing_part" });
    expect(await staging.assemble("ten_a", "up-2", ["p1", "p1"], keyOf, 5)).toEqual({ ok: false, reason: "too_long" });
    expect(readdirSync(path.join(root, "uploads", "ten_a", "up-2")).sort()).toEqual(["meta.json", "p1"]);
    await expect(staging.writePart("ten_a", "up-2", "../escape", bytes("x"), 5)).rejects.toThrow(UploadStagingError);
    await expect(staging.reserve("ten_a", "..", {})).rejects.toThrow(UploadStagingError);
    await expect(staging.writePart("ten_a", "up-2", "meta.json", bytes("x"), 5)).rejects.toThrow(UploadStagingError);
  });

  it("takes over a reservation older than the stale cutoff", async () => {
    await staging.reserve("ten_a", "up-3", { who: "old" });
    expect(await staging.reserve("ten_a", "up-3", { who: "new" }, new Date(Date.now() + 1000))).toBe(true);
    expect(await staging.meta("ten_a", "up-3")).toEqual({ who: "new" });
  });

  it("sweeps uploads nothing wrote to since the cutoff, and keeps the others", async () => {
    await staging.reserve("ten_b", "abandoned", {});
    await staging.writePart("ten_b", "abandoned", "p1", bytes("x"), 5);
    const old = new Date(Date.now() - 2 * 24 * 3600_000);
    const folder = path.join(root, "uploads", "ten_b", "abandoned");
    for (const name of ["meta.json", "p1", ""]) utimesSync(path.join(folder, name), old, old);
    await staging.reserve("ten_b", "active", {});
    expect(await staging.sweep(new Date(Date.now() - 24 * 3600_000))).toBe(1);
    expect(await staging.meta("ten_b", "abandoned")).toBeUndefined();
    expect(await staging.meta("ten_b", "active")).toEqual({});
  });
});
