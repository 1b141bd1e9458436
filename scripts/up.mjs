#!/usr/bin/env node
// `npm run up`: brings the whole platform up on local defaults from a clean clone (README, first command).
// Installs dependencies, finds or starts Postgres and Redis, migrates, seeds the demo tenant and repository,
// starts web + worker + runner, and prints the URL. Ctrl-C stops everything it started and nothing else.
// Uses only Node's standard library until `npm ci` has run.
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const stateDir = path.resolve(process.env.GANTRY_STATE_DIR ?? path.join(root, ".gantry"));
const log = (line) => console.log(`[gantry] ${line}`);
const die = (line) => {
  console.error(`[gantry] ${line}`);
  process.exit(1);
};

// Remote actions for air-gapped installs (`owner/repo/ref/` folders the web app resolves `uses:` from first) and the
// runner's tool cache (RUNNER_TOOL_CACHE): passed to the platform as absolute paths, relative ones taken from where
// `npm run up` was typed (npm's INIT_CWD).
const userCwd = process.env.INIT_CWD ?? process.cwd();
const actionsDir = process.env.GANTRY_ACTIONS_DIR ? path.resolve(userCwd, process.env.GANTRY_ACTIONS_DIR) : undefined;
if (actionsDir && !statSync(actionsDir, { throwIfNoEntry: false })?.isDirectory()) die(`GANTRY_ACTIONS_DIR is not a folder: ${actionsDir} (it holds owner/repo/ref/ folders).`);
// The demo's tool cache defaults to the platform's state folder (not the runner's home: a root runner's sandboxes
// run as other uids and could not reach /root/.gantry).
const toolCache = process.env.GANTRY_TOOL_CACHE ? path.resolve(userCwd, process.env.GANTRY_TOOL_CACHE) : path.join(stateDir, "tool-cache");
if (toolCache && !existsSync(toolCache)) {
  // Made here for the demo: trusted jobs of a root runner write it as sandbox uids of their own (docs/sandboxes.md).
  mkdirSync(toolCache, { recursive: true });
  chmodSync(toolCache, 0o1777);
}

// ---- 1. Node and dependencies ----
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) die(`Node ${process.versions.node} is too old: Gantry needs Node 20.19 or newer.`);

class StepError extends Error {}
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.status !== 0) throw new StepError(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal}).`);
}
// Before services start, a failed step just ends the command; after, it also stops what we started.
process.on("uncaughtException", (error) => die(error instanceof StepError ? error.message : (error?.stack ?? String(error))));

const installedMarker = path.join(root, "node_modules/.package-lock.json");
if (!existsSync(installedMarker) || statSync(installedMarker).mtimeMs < statSync(path.join(root, "package-lock.json")).mtimeMs) {
  log("installing dependencies (npm ci)");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}
run(process.execPath, ["scripts/prisma-generate.mjs", "--if-stale"]);

// ---- 2. Postgres and Redis ----
const { ensurePostgres, ensureRedis, ServiceError } = await import("./lib/services.mjs");
const started = [];
let postgres;
let redis;
try {
  postgres = await ensurePostgres({
    explicitUrl: process.env.DATABASE_URL,
    defaultUrl: "postgresql://postgres@127.0.0.1:5432/postgres",
    database: "gantry",
    repoRoot: root,
    log,
  });
  started.push(postgres);
  redis = await ensureRedis({ explicitUrl: process.env.REDIS_URL, defaultUrl: "redis://127.0.0.1:6379", port: 6390, log });
  started.push(redis);
} catch (error) {
  await Promise.all(started.map((service) => service.stop()));
  if (error instanceof ServiceError) die(error.message);
  throw error;
}

// ---- 3. Local state: secrets that must survive restarts ----
mkdirSync(stateDir, { recursive: true });
// The master key belongs to the database it encrypted, not to this clone: another clone (or a wiped .gantry/)
// using the same database must find the same key, so by default the file is per user and per database.
const secretsFile = process.env.GANTRY_STATE_DIR
  ? path.join(stateDir, "secrets.json")
  : path.join(os.homedir(), ".gantry", `secrets-${createHash("sha256").update(postgres.url).digest("hex").slice(0, 12)}.json`);
mkdirSync(path.dirname(secretsFile), { recursive: true, mode: 0o700 });
const secrets = existsSync(secretsFile) ? JSON.parse(readFileSync(secretsFile, "utf8")) : {};
secrets.nextauthSecret ??= randomBytes(32).toString("base64url");
secrets.masterKey ??= randomBytes(32).toString("base64");
secrets.runnerToken ??= `grt_${randomBytes(32).toString("base64url")}`;
secrets.notifySecret ??= randomBytes(32).toString("base64url");
writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });

// ---- 4. Migrate and seed (from here on, a failure stops the services we started) ----
process.removeAllListeners("uncaughtException");
process.on("uncaughtException", (error) => {
  console.error(`[gantry] ${error instanceof StepError ? error.message : (error?.stack ?? String(error))}`);
  void Promise.all(started.map((service) => service.stop())).finally(() => process.exit(1));
});
const tsx = path.join(root, "node_modules/.bin/tsx");
const baseEnv = { ...process.env, DATABASE_URL: postgres.url, REDIS_URL: redis.url, NEXT_TELEMETRY_DISABLED: "1" };
run(tsx, ["packages/db/src/migrate/cli.ts"], { env: baseEnv });

function ensureGit() {
  if (spawnSync("git", ["--version"], { stdio: "ignore" }).status === 0) return true;
  if (process.getuid?.() !== 0 || !existsSync("/usr/bin/apt-get")) return false;
  log("git is missing; installing it with apt-get");
  spawnSync("apt-get", ["update", "-qq"], { stdio: "ignore" });
  return spawnSync("apt-get", ["install", "-y", "-qq", "git"], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }).status === 0;
}

const demoRepo = path.join(stateDir, "repos/demo/hello.git");
if (!existsSync(demoRepo)) {
  if (!ensureGit()) die("git is not installed: run `sudo apt-get install -y git`, then run this again.");
  const work = path.join(os.tmpdir(), `gantry-demo-${process.pid}`);
  const git = (cwd, ...args) => run("git", ["-c", "user.name=Gantry Demo", "-c", "user.email=demo@gantry.local", ...args], { cwd, stdio: "ignore" });
  mkdirSync(path.dirname(demoRepo), { recursive: true });
  git(root, "init", "--quiet", "--bare", "--initial-branch=main", demoRepo);
  git(root, "init", "--quiet", "--initial-branch=main", work);
  const copy = (from, to) => {
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const source = path.join(from, entry.name);
      const target = path.join(to, entry.name);
      if (entry.isDirectory()) {
        mkdirSync(target, { recursive: true });
        copy(source, target);
      } else writeFileSync(target, readFileSync(source));
    }
  };
  copy(path.join(root, "scripts/demo-repo"), work);
  git(work, "add", ".");
  git(work, "commit", "--quiet", "-m", "Hello, Gantry");
  git(work, "push", "--quiet", demoRepo, "main");
  spawnSync("rm", ["-rf", work]);
  log(`created the demo repository at ${demoRepo}`);
}
// The demo pool runs jobs in bwrap sandboxes where the host can create them, else with the development
// `process` provider (no isolation; the runner below runs in development mode, so it accepts that).
const bwrapWorks = spawnSync("bwrap", ["--unshare-user", "--unshare-pid", "--ro-bind", "/", "/", "--", "/bin/true"], { stdio: "ignore" }).status === 0;
const demoProvider = process.env.GANTRY_DEMO_PROVIDER ?? (bwrapWorks ? "BWRAP" : "PROCESS");
log(`demo pool sandbox provider: ${demoProvider.toLowerCase()}${bwrapWorks ? "" : " (bwrap cannot create namespaces here: apt-get install bubblewrap)"}`);
// GANTRY_HOST reaches the seed (through baseEnv): off loopback the admin gets a generated password, printed once by
// the seed, instead of the published demo one.
run(tsx, ["packages/db/src/seed-cli.ts"], {
  env: {
    ...baseEnv,
    GANTRY_DEMO_PROVIDER: demoProvider,
    GANTRY_DEMO_REPO_URL: demoRepo,
    GANTRY_RUNNER_TOKEN: secrets.runnerToken,
    GANTRY_MASTER_KEY: secrets.masterKey,
    GANTRY_DEMO_NOTIFY_SECRET: secrets.notifySecret,
  },
});
// The demo repository tells Gantry about pushes through the post-receive hook (scripts/git-hooks).
copyFileSync(path.join(root, "scripts/git-hooks/post-receive"), path.join(demoRepo, "hooks/post-receive"));
chmodSync(path.join(demoRepo, "hooks/post-receive"), 0o755);
const gitConfig = (key, value) => run("git", ["--git-dir", demoRepo, "config", key, value], { stdio: "ignore" });
gitConfig("gantry.source", "gsrc_demo");
gitConfig("gantry.repository", "demo/hello");
gitConfig("gantry.secret", secrets.notifySecret);

// ---- 5. Build the web app when its sources are newer than the last build ----
const { ensureWebBuild } = await import("./lib/web-build.mjs");
try {
  ensureWebBuild({ log, env: baseEnv });
} catch (error) {
  throw new StepError(error.message);
}

// ---- 6. Start web, worker, runner ----
function portFree(port, host) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
const host = process.env.GANTRY_HOST ?? "127.0.0.1";
// The same rule as packages/db's isLoopbackHost: only there is the demo password published.
const isLoopback = (name) => /^(localhost|::1|\[::1\]|127(\.\d{1,3}){3})$/i.test(name.trim());
let port = Number(process.env.PORT ?? 3000);
if (!process.env.PORT) while (!(await portFree(port, host))) port++;
else if (!(await portFree(port, host))) die(`PORT ${port} is taken on ${host}: choose another (PORT=3100 npm run up).`);
const url = `http://${host}:${port}`;
gitConfig("gantry.url", url);

const children = [];
let stopping = false;
function startChild(name, command, args, env) {
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const prefix = (stream, out) => {
    let buffer = "";
    stream.on("data", (chunk) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) out.write(`[${name}] ${line}\n`);
    });
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  child.on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`[gantry] ${name} exited (${signal ?? `code ${code}`}); stopping the rest.`);
    void shutdown(1);
  });
  children.push({ name, child });
  return child;
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  log("stopping web, worker and runner");
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => {
            try {
              process.kill(-child.pid, "SIGKILL");
            } catch {
              // already gone
            }
          }, 10_000);
          child.once("exit", () => (clearTimeout(force), resolve()));
          try {
            process.kill(-child.pid, "SIGTERM");
          } catch {
            resolve();
          }
        }),
    ),
  );
  for (const service of started.reverse()) await service.stop();
  log("stopped");
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

// A GANTRY_PUBLIC_URL (or NEXTAUTH_URL) the user set is kept: behind a proxy, links must name the proxy.
const { composeAppEnv } = await import("./lib/app-env.mjs");
const { env: appEnv, publicUrl } = composeAppEnv({ env: baseEnv, localUrl: url, secrets, stateDir });
// Remote actions for air-gapped installs: the web app resolves `uses:` from that folder first.
if (actionsDir) appEnv.GANTRY_ACTIONS_DIR = actionsDir;
// apps/web/server.ts: Next's handler behind the webhook fast path (what `next start` would be, plus that).
// One process per service (node with tsx's loader), not the tsx CLI: the CLI is a second process that relays
// signals and SIGKILLs its child when the child does not acknowledge one within 30 ms (so a loaded machine's
// SIGTERM cut the worker's and the runner's drain short), and a signal to the group reached the child twice.
const service = (file, ...args) => [process.execPath, ["--import", "tsx", file, ...args]];
startChild("web", ...service("apps/web/server.ts", "--port", String(port), "--hostname", host), appEnv);
startChild("worker", ...service("apps/worker/src/main.ts"), appEnv);
startChild("runner", ...service("apps/runner/src/main.ts"), {
  ...process.env,
  GANTRY_URL: url,
  GANTRY_RUNNER_TOKEN: secrets.runnerToken,
  GANTRY_RUNNER_DEV_MODE: "1",
  GANTRY_RUNNER_NAME: process.env.GANTRY_RUNNER_NAME ?? `${os.hostname().replace(/[^A-Za-z0-9._-]/g, "-")}-local`,
  ...(toolCache ? { GANTRY_TOOL_CACHE: toolCache } : {}),
});

// ---- 7. Wait until the health page sees every part, then print where to go ----
const deadline = Date.now() + 180_000;
for (;;) {
  if (stopping) break;
  try {
    const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
    const health = await response.json();
    if (response.ok && health.workers?.length > 0 && health.runners?.some((runner) => runner.online)) break;
  } catch {
    // not up yet
  }
  if (Date.now() > deadline) {
    console.error("[gantry] the platform did not become healthy within 3 minutes; see the lines above.");
    await shutdown(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
if (!stopping) {
  console.log(`
  Gantry is up.

    Dashboard   ${publicUrl}${publicUrl === url ? "" : ` (locally ${url})`}
    Health      ${url}/health
    Sign in     ${isLoopback(host) ? "demo@gantry.local / gantry-demo" : "demo@gantry.local with the password the seed printed above (shown once)"}
    Demo repo   ${demoRepo}${actionsDir ? `\n    Actions     ${actionsDir} (GANTRY_ACTIONS_DIR)` : ""}${toolCache ? `\n    Tool cache  ${toolCache} (GANTRY_TOOL_CACHE)` : ""}

  Ctrl-C stops web, worker and runner${started.some((s) => s.started) ? " and the services it started" : ""}.
`);
  console.log(`[gantry] ready ${url}`);
}
