// A whole job in a real bwrap sandbox: file commands across the uid boundary, masking, and a step
// printing far more than the log cap with bounded memory.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkoutAction } from "../../src/execution/checkout-action";
import { executeJob } from "../../src/execution/job-executor";
import { LogStream, truncationMarker, type LogChunk } from "../../src/execution/log-stream";
import { BwrapProvider } from "../../src/sandbox/bwrap-provider";
import { collectingLog, job, runJob, step } from "./helpers";

const provider = new BwrapProvider();
const probe = await provider.probe();
if (!probe.available) console.warn(`bwrap job tests skipped: ${probe.detail}`);

describe.skipIf(!probe.available)("a job in bwrap", () => {
  it("sees the event that started the run as github.event and in the file at GITHUB_EVENT_PATH", async () => {
    const event = { action: "opened", number: 7, pull_request: { number: 7, title: "Make it faster" } };
    const { result, text } = await runJob(provider, job([step(0, { run: 'echo "pr=${{ github.event.pull_request.number }}"; grep -o \'"title":"[^"]*"\' "$GITHUB_EVENT_PATH"' })]), {
      github: { repository: "acme/app", sha: "abc123", ref: "refs/pull/7/head", event_name: "pull_request", event },
    });
    expect(result.conclusion).toBe("success");
    expect(text).toContain("\npr=7\n");
    expect(text).toContain('"title":"Make it faster"');
  });

  it("runs steps with file commands, PATH, outputs and masking in an untrusted sandbox", async () => {
    const { result, text } = await runJob(provider, job([
      step(0, { id: "a", run: 'echo "who=$(id -u) home=$HOME ws=$GITHUB_WORKSPACE"; echo "x=1" >> "$GITHUB_OUTPUT"; echo "E=2" >> "$GITHUB_ENV"; echo "/opt/tools" >> "$GITHUB_PATH"; echo "# sum" >> "$GITHUB_STEP_SUMMARY"; touch ~/.cache-ok && echo home-writable' }),
      step(1, { run: 'echo "E=$E x=${{ steps.a.outputs.x }} path=$PATH"; echo "secret=$S"', env: { S: "${{ secrets.S }}" } }),
    ], { outputs: { x: "${{ steps.a.outputs.x }}" } }), { secrets: { S: "bwrap-secret-value" } }, { untrusted: true, network: "none" });
    expect(result.conclusion).toBe("success");
    expect(text).toContain("who=1001 home=/home/runner ws=/home/runner/work");
    expect(text).toContain("home-writable");
    expect(text).toMatch(/E=2 x=1 path=\/opt\/tools:/);
    expect(text).toContain("secret=***");
    expect(result.steps[0]?.summary).toBe("# sum\n");
    expect(result.outputs).toEqual({ x: "1" });
  });

  it("streams ~1 GB of output with bounded memory, truncating at the job cap", { timeout: 60_000 }, async () => {
    const sandbox = await provider.prepare({ untrusted: true, limits: { wallTimeMs: 50_000 } });
    const cap = 16 * 1024 * 1024;
    let bytes = 0;
    let chunks = 0;
    let tail = "";
    const log = new LogStream({
      maxJobBytes: cap,
      // A sink slower than the step: without backpressure the runner would buffer the difference.
      sink: async (batch: LogChunk[]) => {
        for (const chunk of batch) {
          bytes += Buffer.byteLength(chunk.data);
          chunks++;
          tail = chunk.data;
        }
        await new Promise((resolve) => setImmediate(resolve));
      },
    });
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const started = Date.now();
    try {
      const result = await executeJob({
        job: job([step(0, { run: "yes 'line of output with \\e[32mcolour\\e[0m and some padding to make it longer' | head -c 1000000000 || true; echo done" })]),
        sandbox,
        log,
        contexts: { github: {} },
      });
      await log.close();
      expect(result.steps[0]?.outcome).toBe("success");
    } finally {
      clearInterval(sampler);
      await sandbox.destroy();
    }
    const growth = (peak - before) / 1024 / 1024;
    console.log(`1 GB step: ${Date.now() - started} ms, ${chunks} chunks, rss growth ${growth.toFixed(1)} MB`);
    expect(growth).toBeLessThan(150);
    expect(tail.endsWith(truncationMarker(cap))).toBe(true);
    expect(bytes).toBeLessThanOrEqual(cap + truncationMarker(cap).length + 1);
    expect(bytes).toBeGreaterThan(cap);
  });

  it("delivers every byte to a slow sink below the cap, never holding more than a few chunks", { timeout: 60_000 }, async () => {
    const sandbox = await provider.prepare({ untrusted: true });
    let bytes = 0;
    let lastSeq = -1;
    let ordered = true;
    const log = new LogStream({
      maxJobBytes: 1024 * 1024 * 1024,
      sink: async (batch: LogChunk[]) => {
        for (const chunk of batch) {
          if (chunk.seq !== lastSeq + 1) ordered = false;
          lastSeq = chunk.seq;
          bytes += Buffer.byteLength(chunk.data);
        }
        await new Promise((resolve) => setTimeout(resolve, 0));
      },
    });
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      await executeJob({ job: job([step(0, { run: "head -c 100000000 /dev/zero | tr '\\0' 'x' | fold -w 200" })]), sandbox, log, contexts: { github: {} } });
      await log.close();
    } finally {
      clearInterval(sampler);
      await sandbox.destroy();
    }
    const scriptEcho = `##[group]Run head -c 100000000 /dev/zero | tr '\\0' 'x' | fold -w 200\nhead -c 100000000 /dev/zero | tr '\\0' 'x' | fold -w 200\n##[endgroup]\n`;
    // 100 MB of x in lines of 200 (+1 newline each) plus the echoed script: bytes in = bytes delivered.
    expect(bytes).toBe(100_000_000 + 100_000_000 / 200 + Buffer.byteLength(scriptEcho));
    expect(ordered).toBe(true);
    expect((peak - before) / 1024 / 1024).toBeLessThan(150);
  });
});

describe.skipIf(!probe.available)("native actions/checkout in bwrap", () => {
  it("fetches the exact commit into the workspace as the sandbox's uid, with no credentials left behind", { timeout: 30_000 }, async () => {
    const repo = mkdtempSync(path.join(os.tmpdir(), "gantry-repo-"));
    chmodSync(repo, 0o755);
    const sh = (cmd: string) => execFileSync("/bin/sh", ["-c", cmd], { cwd: repo, env: { PATH: process.env.PATH ?? "", HOME: repo, GIT_CONFIG_NOSYSTEM: "1" } }).toString().trim();
    sh("git init -q -b main . && git config user.email t@e && git config user.name t && echo one > a.txt && git add a.txt && git commit -qm one");
    const first = sh("git rev-parse HEAD");
    sh("echo two > a.txt && git commit -qam two");
    try {
      const sandbox = await provider.prepare({ untrusted: true, network: "none" });
      const { log, text } = collectingLog();
      try {
        const result = await executeJob({
          job: job([step(0, { id: "co", uses: "actions/checkout@v4", with: { ref: first, "fetch-depth": "1", path: "src" } }), step(1, { run: 'cat src/a.txt; stat -c "%u" src/a.txt; git -C src config --list --local | grep -ci extraheader || true' })]),
          sandbox,
          log,
          contexts: { github: {} },
          nativeActions: { "actions/checkout": checkoutAction({ repositoryUrl: `file://${repo}`, sha: first, authorization: "basic c2VjcmV0LXRva2Vu" }) },
        });
        await log.close();
        expect(result.steps.map((s) => s.outcome), text()).toEqual(["success", "success"]);
        expect(result.steps[0]?.outputs.commit).toBe(first);
        const out = text().split("##[endgroup]\n").pop() ?? "";
        expect(out).toBe("one\n1001\n0\n");
      } finally {
        await sandbox.destroy();
      }
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it("runs host-side git with its own environment, never the job's (PATH, GIT_CONFIG_*, LD_PRELOAD)", { timeout: 30_000 }, async () => {
    const repo = mkdtempSync(path.join(os.tmpdir(), "gantry-repo-"));
    const trap = mkdtempSync(path.join(os.tmpdir(), "gantry-trap-"));
    chmodSync(repo, 0o755);
    chmodSync(trap, 0o777);
    const sh = (cmd: string) => execFileSync("/bin/sh", ["-c", cmd], { cwd: repo, env: { PATH: process.env.PATH ?? "", HOME: repo, GIT_CONFIG_NOSYSTEM: "1" } }).toString().trim();
    sh("git init -q -b main . && git config user.email t@e && git config user.name t && echo one > a.txt && git add a.txt && git commit -qm one");
    const sha = sh("git rev-parse HEAD");
    // A git on PATH and a post-checkout hook, each leaving a mark if host-side code ran it.
    for (const [name, mark] of [["git", "path"], ["post-checkout", "hook"]] as const) {
      writeFileSync(path.join(trap, name), `#!/bin/sh\ntouch ${trap}/ran-${mark}\n`, { mode: 0o755 });
    }
    const hostile = { PATH: `${trap}:/usr/bin:/bin`, GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "core.hooksPath", GIT_CONFIG_VALUE_0: trap, LD_PRELOAD: "/nonexistent/evil.so" };
    try {
      const sandbox = await provider.prepare({ untrusted: true, network: "none" });
      const { log, text } = collectingLog();
      try {
        const result = await executeJob({
          job: job([step(0, { uses: "actions/checkout@v4", env: hostile })], { env: hostile }),
          sandbox,
          log,
          contexts: { github: {} },
          nativeActions: { "actions/checkout": checkoutAction({ repositoryUrl: `file://${repo}`, sha }) },
        });
        await log.close();
        expect(result.steps[0]?.outcome, text()).toBe("success");
        expect(readdirSync(trap).filter((name) => name.startsWith("ran-"))).toEqual([]);
      } finally {
        await sandbox.destroy();
      }
    } finally {
      rmSync(repo, { recursive: true, force: true });
      rmSync(trap, { recursive: true, force: true });
    }
  });
});
