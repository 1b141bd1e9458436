import { describe, expect, it } from "vitest";
import { rlimitArgs } from "../../src/sandbox/rlimits";
import { allProviders, probeSandboxProviders } from "../../src/sandbox/probe";

describe("rlimit fallback", () => {
  it("covers with prlimit what the cgroup could not, and says so", () => {
    const limits = { pids: 64, memoryBytes: 1 << 30, fileSizeBytes: 1 << 20 };
    expect(rlimitArgs(limits, {}, true)).toEqual({
      args: ["--nproc=64:64", `--as=${1 << 30}:${1 << 30}`, `--fsize=${1 << 20}:${1 << 20}`],
      enforced: { pids: "rlimit-nproc", memory: "rlimit-as", fileSize: "rlimit-fsize" },
    });
    // Enforced by the cgroup: no rlimit duplicate.
    expect(rlimitArgs(limits, { pids: "cgroup-v2", memory: "cgroup-v2" }, true).enforced).toEqual({ fileSize: "rlimit-fsize" });
    // RLIMIT_NPROC counts the whole host user: without a uid of its own it would not contain a fork bomb.
    expect(rlimitArgs({ pids: 64 }, {}, false)).toEqual({ args: [], enforced: {} });
  });
});

describe("provider probe", () => {
  it("reports each provider with a reason", async () => {
    const table = await probeSandboxProviders(allProviders({ devMode: false }));
    expect(table.process).toEqual({ available: false, detail: "only in dev mode" });
    expect(typeof table.bwrap.available).toBe("boolean");
    expect(table.bwrap.detail).not.toBe("");
    // The microvm probe boots the host's cloud kernel once under KVM (microvm-accel.ts): up to 10 s where KVM hangs.
  }, 60_000);
});
