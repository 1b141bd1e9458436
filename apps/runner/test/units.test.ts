import { describe, expect, it } from "vitest";
import { backoffMs } from "../src/backoff";
import os from "node:os";
import path from "node:path";
import { parseRunnerEnv, runnerStateDir, toolCacheDir } from "../src/env";
import { DEFAULT_POOL_LIMITS, type Assignment } from "@gantry/runner-protocol";
import { chooseProvider, probeProviders } from "../src/probe-providers";
import { BwrapProvider } from "../src/sandbox/bwrap-provider";
import { ProcessProvider } from "../src/sandbox/process-provider";
import { formatBytes } from "../src/limit-watch";
import { jobSandboxLimits, jobWallTimeMs, unenforcedLimits } from "../src/sandbox-executor";

describe("runner env", () => {
  it("names what is missing", () => {
    expect(() => parseRunnerEnv({})).toThrow(/GANTRY_URL is not set/);
    expect(() => parseRunnerEnv({ GANTRY_URL: "http://127.0.0.1:3000" })).toThrow(/GANTRY_RUNNER_TOKEN is not set/);
    const env = parseRunnerEnv({ GANTRY_URL: "http://127.0.0.1:3000", GANTRY_RUNNER_TOKEN: "grt_" + "x".repeat(40), GANTRY_RUNNER_CAPACITY: "4" });
    expect(env.GANTRY_RUNNER_CAPACITY).toBe(4);
  });

  it("keeps its state and tool cache under ~/.gantry unless told otherwise", () => {
    const base = { GANTRY_URL: "http://127.0.0.1:3000", GANTRY_RUNNER_TOKEN: "grt_" + "x".repeat(40) };
    const plain = parseRunnerEnv(base);
    expect(runnerStateDir(plain)).toBe(path.join(os.homedir(), ".gantry"));
    expect(toolCacheDir(plain)).toBe(path.join(os.homedir(), ".gantry", "tool-cache"));
    const moved = parseRunnerEnv({ ...base, GANTRY_STATE_DIR: "/srv/runner" });
    expect(toolCacheDir(moved)).toBe("/srv/runner/tool-cache");
    expect(toolCacheDir(parseRunnerEnv({ ...base, GANTRY_STATE_DIR: "/srv/runner", GANTRY_TOOL_CACHE: "/opt/hostedtoolcache" }))).toBe("/opt/hostedtoolcache");
  });
});

describe("provider probe and choice", () => {
  it("offers what the sandbox layer can start, and runs a pool only with its own provider", async () => {
    const dev = await probeProviders([new BwrapProvider(), new ProcessProvider({ devMode: true })]);
    // Not among the providers handed to the probe here.
    expect(dev.details.microvm).toEqual({ available: false, detail: "not configured" });
    expect(dev.available).toContain("process");
    expect(chooseProvider(dev, "process", true)).toMatchObject({ ok: true, provider: { name: "process" } });
    expect(chooseProvider(dev, "process", false)).toMatchObject({ ok: false, error: expect.stringMatching(/only in development mode \(GANTRY_RUNNER_DEV_MODE=1\)/) });
    expect(chooseProvider(dev, "gvisor", true)).toMatchObject({ ok: false, error: expect.stringMatching(/the gvisor provider, which this host cannot start \(not configured\)/) });
    const production = await probeProviders([new BwrapProvider(), new ProcessProvider({ devMode: false })]);
    expect(production.available).not.toContain("process");
    expect(production.details.process).toEqual({ available: false, detail: "only in dev mode" });
    if (production.details.bwrap.available) expect(chooseProvider(production, "bwrap", false)).toMatchObject({ ok: true, why: expect.stringContaining("configured with bwrap") });
    else expect(chooseProvider(production, "bwrap", false)).toMatchObject({ ok: false });
  });

  it("refuses a pool whose egress the provider cannot give jobs here", async () => {
    const probe = await probeProviders([new ProcessProvider({ devMode: true })]);
    expect(chooseProvider(probe, "process", true, "open")).toMatchObject({ ok: true });
    expect(chooseProvider(probe, "process", true, "allowlist")).toMatchObject({ ok: false, error: expect.stringMatching(/the pool's egress is allowlist, which the process provider cannot give jobs on this host/) });
    // A provider that says nothing about egress gives `none` only.
    const quiet = { ...probe, details: { ...probe.details, process: { available: true, detail: "no isolation" } } };
    expect(chooseProvider(quiet, "process", true, "open")).toMatchObject({ ok: false });
    expect(chooseProvider(quiet, "process", true, "none")).toMatchObject({ ok: true });
  });
});

describe("job wall time", () => {
  const assignment = (timeoutMinutes: number | string, maxTimeoutMinutes = 360): Assignment => ({
    attemptId: "att",
    attempt: 1,
    jobToken: "gjt_xxxxxxxxxxxxxxxxxxxxxxxx",
    leaseMs: 30_000,
    heartbeatMs: 5_000,
    run: { id: "run", number: 1, attempt: 1, event: "push", ref: "refs/heads/main", sha: "a".repeat(40), repository: "demo/hello", repositoryUrl: null, trusted: true, inputs: {}, actor: "", eventPayload: {}, source: "none", serverUrl: "", apiUrl: "", githubToken: null, workflow: "" },
    strategy: {},
    job: { key: "b", jobId: "b", name: "b", env: {}, outputs: {}, steps: [], timeoutMinutes, continueOnError: false, matrix: { minutes: 3 } },
    secrets: {},
    needs: {},
    vars: {},
    limits: { ...DEFAULT_POOL_LIMITS, maxTimeoutMinutes },
  });
  it("comes from timeout-minutes, a number or an expression, and GitHub's 360 otherwise", () => {
    expect(jobWallTimeMs(assignment(5))).toBe(300_000);
    expect(jobWallTimeMs(assignment("${{ matrix.minutes }}"))).toBe(180_000);
    expect(jobWallTimeMs(assignment("${{ matrix.nothing }}"))).toBe(360 * 60_000);
  });

  it("is capped at the pool's ceiling, and the sandbox gets every one of the pool's limits", () => {
    expect(jobSandboxLimits(assignment(600, 60))).toEqual({ wallTimeMs: 60 * 60_000, cpus: 2, memoryBytes: 4 * 1024 ** 3, pids: 1024, diskBytes: 10 * 1024 ** 3, fileSizeBytes: 10 * 1024 ** 3 });
    expect(jobSandboxLimits(assignment(5, 60)).wallTimeMs).toBe(5 * 60_000);
    expect(unenforcedLimits(jobSandboxLimits(assignment(5)), { wallTime: "timer", memory: "cgroup-v1", pids: "cgroup-v1", cpu: "cgroup-v1", fileSize: "rlimit-fsize" })).toEqual(["disk"]);
    expect([formatBytes(4 * 1024 ** 3), formatBytes(64 * 1024 ** 2), formatBytes(1536 * 1024 ** 2), formatBytes(100)]).toEqual(["4 GiB", "64 MiB", "1.5 GiB", "100 bytes"]);
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

describe("watchLimits", () => {
  it("hands on every property of the provider's sandbox (a dropped serviceUrl left actions without their services)", async () => {
    const { watchLimits } = await import("../src/limit-watch");
    const inner = {
      provider: "process" as const,
      paths: { workspace: "/w", temp: "/t", runnerFiles: "/r", toolCache: "/c", node: { "20": "/n" } },
      hostPaths: { workspace: "/w", temp: "/t", runnerFiles: "/r" },
      enforced: {},
      baseEnv: { PATH: "/bin" },
      serviceUrl: "http://127.0.0.1:41780",
      exec: () => {
        throw new Error("not called");
      },
      limitEvents: () => ({ oomKills: 0, forksRefused: 0, diskFull: false }),
      destroy: async () => undefined,
    };
    const { sandbox } = watchLimits(inner, {}, Date.now());
    expect(Object.keys(sandbox).sort()).toEqual(Object.keys(inner).sort());
    expect(sandbox.serviceUrl).toBe(inner.serviceUrl);
    expect(sandbox.paths).toBe(inner.paths);
  });
});
