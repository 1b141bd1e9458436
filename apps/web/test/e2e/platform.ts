// The whole platform for a browser test, as a user starts it: `scripts/up.mjs` (the production web build, the real
// worker and the demo runner) on an empty test database, a state folder, a free port and queue keys of its own; and
// more runner agents (`node --import tsx apps/runner/src/main.ts`, as up.mjs starts its own) with a pool's token.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createEmptyDatabase, type TestDatabase } from "@gantry/db/testing";
import { TEST_REDIS_URL } from "../support";
import { freePort, poll, ROOT, type WebServer } from "./harness";

export interface Platform extends WebServer {
  database: TestDatabase;
  /** GANTRY_STATE_DIR: the demo repository, the object store, the runners' state. */
  stateDir: string;
}

interface Child {
  output(): string;
  stop(): Promise<void>;
}

/** `command` in its own process group with `env` only, its output kept; stop() is SIGTERM to the group, then SIGKILL. */
function startChild(args: string[], env: Record<string, string>, stopSignal: NodeJS.Signals): Child & { child: ChildProcess } {
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", NODE_ENV: "production", ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    process.kill(-child.pid, stopSignal);
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, output: () => output, stop };
}

/** `scripts/up.mjs` until it prints its ready line; stop() is Ctrl-C (it stops web, worker and runner) and drops the database. */
export async function startPlatform(): Promise<Platform> {
  const database = await createEmptyDatabase();
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "gantry-platform-e2e-"));
  const port = await freePort();
  const up = startChild(["scripts/up.mjs"], {
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    GANTRY_STATE_DIR: stateDir,
    PORT: String(port),
    GANTRY_RUNNER_NAME: `demo-${port}`,
    // Queues and scheduler keys of its own: other platforms may share this Redis, and two workers on one prefix
    // take each other's jobs.
    GANTRY_QUEUE_PREFIX: `gantry-web-e2e-${randomBytes(4).toString("hex")}`,
  }, "SIGINT");
  const stop = async () => {
    await up.stop();
    await database.drop();
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    // The first start may build the web app (minutes on a busy machine).
    const baseUrl = await poll("the platform's ready line", 540_000, async () => {
      if (up.child.exitCode !== null) throw new Error(`scripts/up.mjs exited (${up.child.exitCode})`);
      return /\[gantry\] ready (\S+)/.exec(up.output())?.[1];
    }, up.output);
    return { baseUrl, database, stateDir, output: up.output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export type RunnerAgent = Child;

/** A runner agent registering with `token` at the platform as `name` (development mode: the `process` provider is allowed). */
export function startRunner(platform: Platform, token: string, name: string): RunnerAgent {
  return startChild(["--import", "tsx", "apps/runner/src/main.ts"], {
    GANTRY_URL: platform.baseUrl,
    GANTRY_RUNNER_TOKEN: token,
    GANTRY_RUNNER_NAME: name,
    GANTRY_RUNNER_DEV_MODE: "1",
    GANTRY_STATE_DIR: path.join(platform.stateDir, `runner-${name}`),
  }, "SIGTERM");
}
