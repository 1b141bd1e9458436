// The real worker and a real runner beside the production web server, for browser tests that need a workflow to run:
// each its own process started from its entry file (as `npm run up` starts them), on the test's database, Redis
// prefix and object store; the runner registers with the demo pool and runs jobs with the development `process`
// provider. Stopping ends both process groups.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, stopProcessGroup, type WebServer } from "./harness";

export interface PlatformProcesses {
  output(): string;
  stop(): Promise<void>;
}

function start(name: string, file: string, env: Record<string, string>, sink: (text: string) => void): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, file)], { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  child.stdout?.on("data", (chunk: Buffer) => sink(`[${name}] ${chunk.toString()}`));
  child.stderr?.on("data", (chunk: Buffer) => sink(`[${name}] ${chunk.toString()}`));
  return child;
}

/** `env` is the web server's (database, Redis, queue prefix, storage); `registrationToken` the demo pool's. */
export function startWorkerAndRunner(server: WebServer, env: Record<string, string>, registrationToken: string): PlatformProcesses {
  let output = "";
  const sink = (text: string) => (output += text);
  const state = mkdtempSync(path.join(os.tmpdir(), "gantry-e2e-runner-"));
  const worker = start("worker", "apps/worker/src/main.ts", { ...env, GANTRY_WORKER_ID: `e2e-${process.pid}`, GANTRY_RECONCILE_INTERVAL_MS: "1000" }, sink);
  const runner = start(
    "runner",
    "apps/runner/src/main.ts",
    { GANTRY_URL: server.baseUrl, GANTRY_RUNNER_TOKEN: registrationToken, GANTRY_RUNNER_DEV_MODE: "1", GANTRY_RUNNER_NAME: "e2e-runner", GANTRY_RUNNER_CAPACITY: "2", GANTRY_STATE_DIR: state },
    sink,
  );
  return {
    output: () => output,
    stop: async () => {
      await Promise.all([stopProcessGroup(runner), stopProcessGroup(worker)]);
      rmSync(state, { recursive: true, force: true });
    },
  };
}
