// Human output: columns, times, a run with its jobs; and the config file (mode 0600, the environment over the file).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runAnswer } from "../src/answers";
import { describeRun } from "../src/commands/runs";
import { configPath, loadConfig, saveConfig } from "../src/config";
import { CommandFailed } from "../src/errors";
import { duration, shortRef, table, when } from "../src/format";

const home = mkdtempSync(path.join(os.tmpdir(), "gantry-cli-config-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("formatting", () => {
  it("aligns columns, shortens refs and times, and measures durations", () => {
    expect(table([["ID", "STATUS", "REPO"], ["run_1", "SUCCEEDED", "acme/app"], ["run_22", "FAILED", "x"]])).toBe("ID      STATUS     REPO\nrun_1   SUCCEEDED  acme/app\nrun_22  FAILED     x");
    expect(when("2026-12-07T12:30:05.123Z")).toBe("2026-12-07 12:30");
    expect(when(null)).toBe("-");
    expect(shortRef("refs/heads/main")).toBe("main");
    expect(shortRef("refs/tags/v1.2")).toBe("v1.2");
    expect(duration("2026-12-07T12:00:00Z", "2026-12-07T12:01:05Z", new Date())).toBe("1m 05s");
    expect(duration("2026-12-07T12:00:00Z", null, new Date("2026-12-07T12:00:09Z"))).toBe("9s");
  });

  const job = (key: string, status: string, failureReason: string | null) => ({ key, status, attempt: 1, needs: [], failureCause: failureReason ? "user" : null, failureReason, startedAt: "2026-12-07T12:00:00Z", finishedAt: "2026-12-07T12:00:04Z" });

  it("a run: its header, then a line per job with its status, time and why it failed", () => {
    const run = runAnswer.parse({
      id: "run_abc",
      runNumber: 7,
      workflowName: "CI",
      workflowPath: ".gantry/workflows/ci.yml",
      repository: "demo/hello",
      event: "workflow_dispatch",
      ref: "refs/heads/main",
      sha: "0123456789abcdef0123456789abcdef01234567",
      status: "FAILED",
      runAttempt: 2,
      createdAt: "2026-12-07T12:00:00Z",
      finishedAt: "2026-12-07T12:00:05Z",
      jobs: [job("build", "SUCCEEDED", null), job("test (20)", "FAILED", "step 1 exited with 3")],
    });
    expect(describeRun(run, new Date())).toBe(
      ["CI #7 (attempt 2)  failed", "demo/hello main 0123456 · workflow_dispatch · run_abc", "  build      succeeded  4s", "  test (20)  failed     4s  step 1 exited with 3"].join("\n"),
    );
  });

  it("says statuses in the words GitHub users read: a job ready for a runner is queued, one held by its needs waiting", () => {
    const run = runAnswer.parse({
      id: "run_q",
      runNumber: 8,
      workflowName: "CI",
      workflowPath: ".gantry/workflows/ci.yml",
      repository: "demo/hello",
      event: "push",
      ref: "refs/heads/main",
      sha: "0123456789abcdef0123456789abcdef01234567",
      status: "CANCELED",
      runAttempt: 1,
      createdAt: "2026-12-07T12:00:00Z",
      finishedAt: null,
      jobs: [job("build", "WAITING", null), job("deploy", "QUEUED", null)],
    });
    const lines = describeRun(run, new Date()).split("\n");
    expect(lines[0]).toBe("CI #8  cancelled");
    expect(lines[2]).toMatch(/^ {2}build +queued/);
    expect(lines[3]).toMatch(/^ {2}deploy +waiting/);
  });
});

describe("the config file", () => {
  it("is saved for its owner only, under XDG_CONFIG_HOME or ~/.config; the environment overrides it", () => {
    const env = { HOME: home };
    expect(configPath(env)).toBe(path.join(home, ".config/gantry/config.json"));
    expect(configPath({ HOME: home, XDG_CONFIG_HOME: "/x" })).toBe("/x/gantry/config.json");
    const file = configPath(env);
    saveConfig(env, { url: "http://gantry.test", token: "gat_secret", tenant: "demo" });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ url: "http://gantry.test", token: "gat_secret", tenant: "demo" });
    expect(loadConfig(env)).toEqual({ url: "http://gantry.test", token: "gat_secret", tenant: "demo" });
    expect(loadConfig({ ...env, GANTRY_URL: "https://other.test/", GANTRY_TOKEN: "gat_env", GANTRY_TENANT: "ops" })).toEqual({ url: "https://other.test", token: "gat_env", tenant: "ops" });
  });

  it("a broken file is one line saying to log in again", () => {
    const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, "broken") };
    saveConfig(env, { url: "http://gantry.test", token: "t" });
    writeFileSync(configPath(env), "{ not json");
    expect(() => loadConfig(env)).toThrow(new CommandFailed(`${configPath(env)} is not JSON: run gantry login again`));
  });
});
