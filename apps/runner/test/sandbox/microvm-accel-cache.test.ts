import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedVerdict, keepVerdict } from "../../src/sandbox/microvm-accel-cache";

// The verdict file lives under $HOME/.gantry: a home of the test's own.
const home = mkdtempSync(path.join(os.tmpdir(), "gantry-accel-home-"));
const realHome = process.env.HOME;
beforeAll(() => void (process.env.HOME = home));
afterAll(() => {
  process.env.HOME = realHome;
  rmSync(home, { recursive: true, force: true });
});

// Any file stands in for QEMU's binary: the key takes its size and mtime.
const qemu = process.execPath;

describe("the KVM boot test's kept verdict", () => {
  it("is found for the same host boot, binary and kernel, and not for another kernel", () => {
    expect(cachedVerdict(qemu, "6.1.0-1-cloud-amd64")).toBeUndefined();
    keepVerdict(qemu, "6.1.0-1-cloud-amd64", { accel: "tcg", why: "the cloud kernel does not boot on it" });
    expect(cachedVerdict(qemu, "6.1.0-1-cloud-amd64")).toEqual({ accel: "tcg", why: "the cloud kernel does not boot on it (tested earlier in this host boot)" });
    expect(cachedVerdict(qemu, "6.1.0-2-cloud-amd64")).toBeUndefined();
    const file = path.join(home, ".gantry", "microvm-accel.json");
    expect((JSON.parse(readFileSync(file, "utf8")) as { accel: string }).accel).toBe("tcg");
  });

  it("is ignored when the file is not a verdict", () => {
    writeFileSync(path.join(home, ".gantry", "microvm-accel.json"), JSON.stringify({ key: "x", accel: "fast" }));
    expect(cachedVerdict(qemu, "6.1.0-1-cloud-amd64")).toBeUndefined();
  });
});
