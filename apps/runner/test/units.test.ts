import { describe, expect, it } from "vitest";
import { backoffMs } from "../src/backoff";
import { parseRunnerEnv } from "../src/env";
import { probeProviders } from "../src/probe-providers";

describe("runner env", () => {
  it("names what is missing", () => {
    expect(() => parseRunnerEnv({})).toThrow(/GANTRY_URL is not set/);
    expect(() => parseRunnerEnv({ GANTRY_URL: "http://127.0.0.1:3000" })).toThrow(/GANTRY_RUNNER_TOKEN is not set/);
    const env = parseRunnerEnv({ GANTRY_URL: "http://127.0.0.1:3000", GANTRY_RUNNER_TOKEN: "grt_" + "x".repeat(40), GANTRY_RUNNER_CAPACITY: "4" });
    expect(env.GANTRY_RUNNER_CAPACITY).toBe(4);
  });
});

describe("provider probe", () => {
  it("lists the strongest available first and always offers process", () => {
    expect(probeProviders(() => false)).toEqual(["process"]);
    expect(probeProviders((c) => c === "bwrap" || c === "runsc")).toEqual(["gvisor", "bwrap", "process"]);
    expect(probeProviders((c) => c === "qemu-system-x86_64")).toEqual(["microvm", "process"]);
  });
});

describe("backoff", () => {
  it("grows exponentially to a cap, with jitter below the ceiling", () => {
    expect(backoffMs(0, () => 0.999)).toBe(499);
    expect(backoffMs(3, () => 0.999)).toBe(3996);
    expect(backoffMs(30, () => 0.999)).toBe(29_970);
    expect(backoffMs(5, () => 0)).toBe(0);
  });
});
