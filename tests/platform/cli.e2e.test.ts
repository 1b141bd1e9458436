// The `gantry` CLI as a user runs it: the INSTALLED bin (node_modules/.bin/gantry, what `npx gantry` starts) against
// the platform `npm run up` brings up (the production web build, the worker, a runner, the demo git repository).
// One platform for the whole file. Login by password exchange and by token, dispatch a workflow and follow its logs
// until it ends, the exit status of a failed run, re-run, scopes refused, secrets, pools.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { until } from "@gantry/testing";
import { createEmptyDatabase, type TestDatabase } from "@gantry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const bin = path.join(root, "node_modules/.bin/gantry");
const REDIS_URL = process.env.GANTRY_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

let database: TestDatabase;
let stateDir: string;
let platform: ChildProcess | undefined;
let output = "";
let url = "";
/** The config home the token login wrote (every command after login uses it). */
let home = "";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The installed bin, from a directory outside the workspace, with its own HOME (its config file). */
function gantry(args: string[], options: { home?: string; stdin?: string; timeoutMs?: number } = {}): Promise<Ran> {
  const cwd = options.home ?? home;
  const child = spawn(bin, args, { cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd }, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.stdin ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  return new Promise((resolve) =>
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}

const homeDir = (name: string) => {
  const dir = path.join(stateDir, "homes", name);
  mkdirSync(dir, { recursive: true });
  return dir;
};

beforeAll(async () => {
  database = await createEmptyDatabase();
  stateDir = mkdtempSync(path.join(os.tmpdir(), "gantry-cli-e2e-"));
  const port = await freePort();
  platform = spawn(process.execPath, ["scripts/up.mjs"], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      DATABASE_URL: database.url,
      REDIS_URL,
      GANTRY_STATE_DIR: stateDir,
      PORT: String(port),
      GANTRY_RUNNER_NAME: `cli-e2e-${port}`,
      // Web and worker on their own keys: nothing else sharing this Redis takes this platform's jobs.
      GANTRY_QUEUE_PREFIX: `gantry-cli-e2e-${randomBytes(4).toString("hex")}`,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  platform.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  platform.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  url = await until("the platform's ready line", () => /\[gantry\] ready (\S+)/.exec(output)?.[1], { timeoutMs: 540_000, context: () => output });

  // A workflow that fails, pushed to the demo repository (dispatched below; it has no push trigger).
  const clone = path.join(stateDir, "clone");
  execFileSync("git", ["clone", "--quiet", path.join(stateDir, "repos/demo/hello.git"), clone]);
  mkdirSync(path.join(clone, ".gantry/workflows"), { recursive: true });
  writeFileSync(
    path.join(clone, ".gantry/workflows/fail.yml"),
    "name: Fails\non:\n  workflow_dispatch:\n    inputs:\n      code:\n        default: '3'\njobs:\n  doomed:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"about to fail with ${{ inputs.code }}\" && exit ${{ inputs.code }}\n",
  );
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=E2E", "-c", "user.email=e2e@example.com", ...args], { cwd: clone, stdio: ["ignore", "pipe", "pipe"] });
  git("add", ".");
  git("commit", "--quiet", "-m", "A workflow that fails");
  git("push", "--quiet", "origin", "main");
}, 600_000);

afterAll(async () => {
  if (platform?.pid && platform.exitCode === null) {
    const exited = new Promise((resolve) => platform?.once("exit", resolve));
    process.kill(-platform.pid, "SIGINT");
    await exited;
  }
  await database?.drop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}, 120_000);

describe("gantry against a running platform", () => {
  it("login: a password is exchanged for a token (saved 0600, the password nowhere); that token logs in elsewhere", async () => {
    const first = homeDir("password");
    const exchanged = await gantry(["login", "--url", url, "--email", "demo@gantry.local", "--password-stdin", "--scopes", "runs:read,runs:write,admin"], { home: first, stdin: "gantry-demo\n" });
    expect(exchanged, output.slice(-2000)).toMatchObject({ status: 0, stderr: "" });
    expect(exchanged.stdout).toBe(`Logged in to ${url} (tenants: demo as admin); token saved in ${first}/.config/gantry/config.json.\n`);
    const file = path.join(first, ".config/gantry/config.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, "utf8")) as { url: string; token: string };
    expect(saved.token).toMatch(/^gat_/);
    expect(readFileSync(file, "utf8")).not.toContain("gantry-demo");

    const wrong = await gantry(["login", "--url", url, "--email", "demo@gantry.local", "--password-stdin"], { home: homeDir("wrong"), stdin: "not-the-password" });
    expect(wrong).toEqual({ status: 1, stdout: "", stderr: "gantry: login refused (401): Wrong email or password (or the account signs in with GitHub only).\n" });

    home = homeDir("token");
    const byToken = await gantry(["login", "--url", url, "--token", saved.token]);
    expect(byToken.status, byToken.stderr).toBe(0);
    const bad = await gantry(["login", "--url", url, "--token", `gat_${"Z".repeat(43)}`], { home: homeDir("bad-token") });
    expect(bad).toMatchObject({ status: 1, stderr: "gantry: Unknown API token: it was never issued here or its user was deleted.\n" });
  });

  it("dispatch, then logs --follow until the run ends (exit 0); runs view and list show it", async () => {
    const dispatched = await gantry(["dispatch", "demo/hello", "ci", "--json"]);
    expect(dispatched.status, dispatched.stderr).toBe(0);
    const { runId } = JSON.parse(dispatched.stdout) as { runId: string };
    const followed = await gantry(["logs", runId, "--follow", "--interval", "1"], { timeoutMs: 240_000 });
    expect(followed.status, `${followed.stderr}\n${output.slice(-3000)}`).toBe(0);
    expect(followed.stdout).toContain("── build ──");
    expect(followed.stdout).toContain("Hello from Gantry on Linux");
    expect(followed.stdout).toContain("testing on node 22");
    expect(followed.stderr).toMatch(/^Run CI #\d+ succeeded\.\n$/);

    const view = await gantry(["runs", "view", runId]);
    expect(view.status).toBe(0);
    expect(view.stdout).toMatch(/^CI #\d+ {2}succeeded\ndemo\/hello main [0-9a-f]{7} · workflow_dispatch · run_/);
    expect(view.stdout).toMatch(/^ {2}test \(22\) +succeeded/m);
    const listed = await gantry(["runs", "list", "--repo", "demo/hello", "--status", "succeeded", "--json"]);
    expect((JSON.parse(listed.stdout) as { runs: { id: string }[] }).runs.map((run) => run.id)).toContain(runId);
    // The run list's other filters, and a page at a time through --cursor.
    const narrowed = await gantry(["runs", "list", "--branch", "main", "--event", "workflow_dispatch", "--workflow", "ci", "--search", "CI", "--limit", "1", "--json"]);
    const first = JSON.parse(narrowed.stdout) as { runs: { id: string; event: string }[]; nextCursor: string | null };
    expect(first.runs.map((run) => [run.id, run.event])).toEqual([[runId, "workflow_dispatch"]]);
    expect((JSON.parse((await gantry(["runs", "list", "--actor", "nobody-at-all", "--json"])).stdout) as { runs: unknown[] }).runs).toEqual([]);
    const human = await gantry(["runs", "list", "--limit", "1"]);
    const cursor = /--cursor (\S+)$/m.exec(human.stderr)?.[1] ?? "";
    expect(cursor, human.stderr).not.toBe("");
    const older = await gantry(["runs", "list", "--limit", "1", "--cursor", cursor, "--json"]);
    expect((JSON.parse(older.stdout) as { runs: { id: string }[] }).runs.map((run) => run.id)).not.toContain(runId);
  });

  it("a failed run: runs watch exits 1, its log says why, rerun --failed starts its next attempt", async () => {
    const dispatched = await gantry(["dispatch", "demo/hello", "fail.yml", "-f", "code=4"]);
    expect(dispatched.status, dispatched.stderr).toBe(0);
    const runId = /run (run_\S+)/.exec(dispatched.stdout)?.[1] ?? "";
    expect(dispatched.stdout).toMatch(/^Dispatched \.gantry\/workflows\/fail\.yml at refs\/heads\/main \([0-9a-f]{7}\): run run_\S+\nhttp:\/\/.*\/t\/demo\/runs\/run_\S+\n$/);
    const watched = await gantry(["runs", "watch", runId, "--interval", "1"], { timeoutMs: 240_000 });
    expect(watched.status, `${watched.stderr}\n${output.slice(-3000)}`).toBe(1);
    expect(watched.stdout).toMatch(/ {2}doomed {2}failed/);
    expect(watched.stdout).toMatch(/Run Fails #\d+ failed\.\n$/);
    const log = await gantry(["logs", runId, "--job", "doomed"]);
    expect(log.status).toBe(0);
    expect(log.stdout).toContain("about to fail with 4");
    expect(log.stdout).not.toContain("── doomed ──");

    const rerun = await gantry(["rerun", runId, "--failed"]);
    expect(rerun).toMatchObject({ status: 0, stdout: `Re-running 1 job of run ${runId} as attempt 2.\n` });
    const again = await gantry(["runs", "watch", runId, "--interval", "1"], { timeoutMs: 240_000 });
    expect(again.status).toBe(1);
    const failed = await gantry(["runs", "list", "--status", "failed", "--json"]);
    expect((JSON.parse(failed.stdout) as { runs: { id: string }[] }).runs.map((run) => run.id)).toContain(runId);
  });

  it("a runs:read token is refused a dispatch with the reason (exit 1); usage errors exit 2 before asking", async () => {
    const reader = homeDir("reader");
    expect((await gantry(["login", "--url", url, "--email", "demo@gantry.local", "--password-stdin", "--scopes", "runs:read"], { home: reader, stdin: "gantry-demo" })).status).toBe(0);
    expect((await gantry(["runs", "list"], { home: reader })).status).toBe(0);
    const refused = await gantry(["dispatch", "demo/hello", "ci"], { home: reader });
    expect(refused).toEqual({ status: 1, stdout: "", stderr: "gantry: This API token lacks the runs:write scope, which runs.dispatch (a mutation) needs (it has runs:read).\n" });
    expect((await gantry(["runs", "list", "--status", "sideways"])).status).toBe(2);
    const missing = await gantry(["runs", "view", "run_nope"]);
    expect(missing).toMatchObject({ status: 1, stderr: expect.stringMatching(/^gantry: .*run_nope.*\n$/) });
  });

  it("secrets set (stdin and --body), list and delete; values never come back", async () => {
    expect(await gantry(["secrets", "set", "DEPLOY_KEY"], { stdin: "s3cr3t-value\n" })).toMatchObject({ status: 0, stdout: "Created secret DEPLOY_KEY for tenant demo.\n" });
    expect(await gantry(["secrets", "set", "DEPLOY_KEY", "--body", "other"])).toMatchObject({ status: 0, stdout: "Updated secret DEPLOY_KEY for tenant demo.\n" });
    const listed = await gantry(["secrets", "list"]);
    expect(listed.stdout).toMatch(/^NAME +UPDATED\nDEPLOY_KEY +\d{4}-\d\d-\d\d \d\d:\d\d\n$/);
    expect(listed.stdout).not.toContain("s3cr3t");
    expect(await gantry(["secrets", "delete", "DEPLOY_KEY"])).toMatchObject({ status: 0, stdout: "Deleted secret DEPLOY_KEY from tenant demo.\n" });
    expect((await gantry(["secrets", "list", "--json"])).stdout.trim()).toBe("[]");
  });

  it("pools list shows the demo pool and its online runner", async () => {
    const pools = await gantry(["pools", "list", "--json"]);
    expect(pools.status, pools.stderr).toBe(0);
    expect(JSON.parse(pools.stdout)).toEqual([expect.objectContaining({ name: expect.any(String), onlineCount: 1 })]);
  });

  // Needs runners.createPool (the pools page's procedure, written beside this): passes once both are merged.
  it("pools create prints the new pool's registration token once", async () => {
    const created = await gantry(["pools", "create", "cli-pool", "--labels", "cli-x64", "--provider", "bwrap", "--cpus", "2", "--memory", "1G", "--egress", "none"]);
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^Created pool cli-pool \(\S+\)\.\nRegistration token \(shown once; .*\):\ngrt_\S+\n$/);
    const pools = JSON.parse((await gantry(["pools", "list", "--json"])).stdout) as { name: string; labels: string[] }[];
    expect(pools).toContainEqual(expect.objectContaining({ name: "cli-pool", labels: ["cli-x64"] }));
  });
});
