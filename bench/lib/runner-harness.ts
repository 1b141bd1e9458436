// The runner benchmarks' control plane: a fresh test database with the demo tenant, a started worker, the web
// app's real runner routes and the plain-git push endpoint served over HTTP (tests/platform/route-server), and one warm
// runner agent on the bwrap provider (or `process`, GANTRY_BENCH_PROVIDER=process, where bwrap is missing) — in this process (`first-log`, which times the sandbox's readiness inside the agent) or in a process of
// its own as deployed (`runnerProcess`, `log-latency`). The routes are wrapped to timestamp what the benchmarks
// measure: a claim that returns an assignment, and each log chunk the logs route has stored (LogChunk row, object,
// Redis stream entry) — taken when the route answers, so it is the control plane's "stored" moment, free of polling.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { DEMO, intake, newToken, openDatabase, seedDemo, type Database, type TenantContext } from "../../packages/db/src/index";
import { createTestDatabase, type TestDatabase } from "../../packages/db/src/testing/index";
import type { PlannedStep } from "../../packages/workflow-schema/src/index";
import { POST as claim } from "../../apps/web/src/app/api/runner/v1/claim/route";
import { POST as complete } from "../../apps/web/src/app/api/runner/v1/complete/route";
import { POST as heartbeat } from "../../apps/web/src/app/api/runner/v1/heartbeat/route";
import { POST as logs } from "../../apps/web/src/app/api/runner/v1/logs/route";
import { POST as register } from "../../apps/web/src/app/api/runner/v1/register/route";
import { POST as step } from "../../apps/web/src/app/api/runner/v1/step/route";
import { GET as objectGet, PUT as objectPut } from "../../apps/web/src/app/api/runner/v1/objects/route";
import { POST as resolveAction } from "../../apps/web/src/app/api/runner/v1/actions/resolve/route";
import { POST as actionsService } from "../../apps/web/src/app/api/actions/[...path]/route";
import { POST as twirp } from "../../apps/web/src/app/twirp/[...path]/route";
import { POST as gitPush } from "../../apps/web/src/app/api/git/sources/[sourceId]/push/route";
import { readAttemptLog } from "../../apps/web/src/server/logs/read-attempt-log";
import { closeServices } from "../../apps/web/src/server/services";
import { DirectoryObjectStore } from "@gantry/storage";
import { BwrapProvider } from "../../apps/runner/src/sandbox/bwrap-provider";
import { ProcessProvider } from "../../apps/runner/src/sandbox/process-provider";
import type { SandboxProvider } from "../../apps/runner/src/sandbox/types";
import { startAgent, type AgentHandle } from "../../apps/runner/src/index";
import { parseRunnerEnv } from "../../apps/runner/src/env";
import { parseWorkerEnv } from "../../apps/worker/src/env";
import { startWorker } from "../../apps/worker/src/worker";
import { createEngine, type Engine } from "../../packages/engine/src/index";
import { FairScheduler } from "../../packages/scheduler/src/index";
import { Queues } from "../../packages/jobs/src/index";
import { serveRoutes } from "../../tests/platform/route-server";
import { logChunksOf, type LogsRequest } from "../../packages/runner-protocol/src/index";

/** Wall-clock milliseconds with sub-millisecond resolution (comparable with the runner's Date.now() chunk timestamps). */
export const nowMs = () => performance.timeOrigin + performance.now();

export interface StoredChunk {
  attemptId: string;
  seq: number;
  /** When the chunk's first byte reached the runner's LogStream (the runner's Date.now()). */
  firstByteAt: number;
  storedAt: number;
  /** Time the logs route took for the request that carried this chunk (parse, auth, Postgres, gzip, object write, XADD). */
  routeMs: number;
  /** Chunks in that request (the runner batches what queued up while the previous request was in flight); unknown for a big request, which is reported by its first chunk only. */
  requestChunks: number | undefined;
  /** The chunk's text; empty for a big request's (not parsed on the measured path). */
  data: string;
}

export interface Events {
  onClaim?: (at: number) => void;
  onSandboxReady?: (at: number) => void;
  onChunkStored?: (chunk: StoredChunk) => void;
}

export interface Harness {
  db: Database;
  /** The served routes' base URL (the push endpoint is `${url}/api/git/sources/<id>/push`). */
  url: string;
  /** The sandbox provider the runner uses. */
  provider: BenchProvider;
  events: Events;
  /** Creates a one-job run, makes it claimable, and returns the run id and when it became claimable. */
  enqueue(steps: PlannedStep[]): Promise<{ runId: string; readyAt: number }>;
  /** Waits (polling Postgres) until the run is terminal; returns its status and its one attempt's id. */
  finished(runId: string, timeoutMs?: number): Promise<{ status: string; attemptId: string }>;
  /** What the runner agents printed so far. */
  runnerLog(): readonly string[];
  /** The attempt's archived log text, decompressed from the object store, in order. */
  archived(attemptId: string): Promise<string>;
  close(): Promise<void>;
}

const REDIS_URL = process.env.GANTRY_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };

export type BenchProvider = "bwrap" | "process";

export interface HarnessOptions {
  /** Default GANTRY_BENCH_PROVIDER, else bwrap. `process` (no isolation, dev mode) for hosts without bwrap. */
  provider?: BenchProvider;
  /** Jobs the runner agent runs at once (GANTRY_RUNNER_CAPACITY; default 1). */
  capacity?: number;
  /** The demo git source's repository (default: none) and its push-notification secret (needs a master key in extraEnv). */
  git?: { repositoryUrl: string; notify?: { masterKey: Buffer; secret: string } };
  extraEnv?: Record<string, string>;
  /** More of the worker's environment (GANTRY_GIT_CACHE_DIR). */
  workerEnv?: Record<string, string>;
  /** More of the runner's environment (GANTRY_STATE_DIR, GANTRY_TOOL_CACHE). */
  runnerEnv?: Record<string, string>;
  /** Run the agent as its own process (`node --import tsx apps/runner/src/main.ts`), as deployed; onSandboxReady never fires. */
  runnerProcess?: boolean;
  /** With runnerProcess: how many runner processes (named bench, bench-1, …), each with `capacity` slots. Default 1. */
  runnerProcesses?: number;
  /**
   * Run the worker as its own process (`node --import tsx apps/worker/src/main.ts`), as `npm run up` and a deployment do, instead of
   * in this process beside the routes: then the routes and the worker each have a core's worth of event loop.
   */
  workerProcess?: boolean;
}

// A big logs request is not parsed twice on the measured path: its first chunk's seq and timestamp are read off
// the front of the runner's JSON ({"attemptId":…,"chunks":[{"seq":…,"stepIndex":…,"timestamp":…,"data":…).
const PARSE_BELOW_BYTES = 64 * 1024;
async function bodyHead(request: Request, bytes: number): Promise<string> {
  const reader = request.clone().body?.getReader();
  if (!reader) return "";
  const first = await reader.read();
  void reader.cancel();
  return Buffer.from(first.value ?? new Uint8Array()).subarray(0, bytes).toString("utf8");
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const extraEnv = options.extraEnv ?? {};
  const providerName = options.provider ?? (process.env.GANTRY_BENCH_PROVIDER === "process" ? "process" : "bwrap");
  const provider = providerName === "process" ? new ProcessProvider({ devMode: true }) : new BwrapProvider();
  const probe = await provider.probe();
  if (!probe.available) throw new Error(`${providerName} is not available on this host: ${probe.detail} (GANTRY_BENCH_PROVIDER=process runs without isolation)`);

  const prefix = `gantry-bench-${randomBytes(4).toString("hex")}`;
  const storage = mkdtempSync(path.join(os.tmpdir(), "gantry-bench-storage-"));
  const registrationToken = newToken("grt");
  const testDb: TestDatabase = await createTestDatabase();
  const db = openDatabase(testDb.url);
  await seedDemo(db, { repositoryUrl: options.git?.repositoryUrl ?? "/nonexistent", runnerRegistrationToken: registrationToken, ...(options.git?.notify ? { gitNotify: options.git.notify } : {}) });
  await db.system("bench").runnerPool.update({ where: { id: DEMO.poolId }, data: { provider: providerName === "process" ? "PROCESS" : "BWRAP" } });
  Object.assign(process.env, {
    DATABASE_URL: testDb.url,
    REDIS_URL,
    NEXTAUTH_SECRET: randomBytes(24).toString("base64url"),
    NEXTAUTH_URL: "http://127.0.0.1:3999",
    GANTRY_QUEUE_PREFIX: prefix,
    GANTRY_STORAGE_DIR: storage,
    ...extraEnv,
  });
  const workerEnv = { ...options.workerEnv, DATABASE_URL: testDb.url, REDIS_URL, GANTRY_QUEUE_PREFIX: prefix, GANTRY_WORKER_ID: prefix };
  const worker = options.workerProcess ? await startWorkerProcess(workerEnv, db, prefix) : await startWorker(parseWorkerEnv(workerEnv), () => undefined);
  const events: Events = {};
  const server = await serveRoutes({
    "/api/runner/v1/register": register,
    "/api/runner/v1/claim": async (request) => {
      const response = await claim(request);
      const at = nowMs();
      if (response.ok && ((await response.clone().json()) as { assignment: unknown }).assignment) events.onClaim?.(at);
      return response;
    },
    "/api/runner/v1/heartbeat": heartbeat,
    "/api/runner/v1/complete": complete,
    "/api/runner/v1/logs": async (request) => {
      // The runner's own request, so not validated again here (the route does; this wrapper is on the measured path).
      const size = Number(request.headers.get("content-length") ?? Number.POSITIVE_INFINITY);
      let batch: { seq: number; timestamp: number; data: string }[];
      let attemptId: string;
      let chunksInRequest: number | undefined;
      if (size < PARSE_BELOW_BYTES) {
        const body = (await request.clone().json()) as LogsRequest;
        batch = logChunksOf(body);
        attemptId = body.attemptId;
        chunksInRequest = batch.length;
      } else {
        const head = await bodyHead(request, 512);
        const seq = Number(/"seq":(\d+)/.exec(head)?.[1] ?? Number.NaN);
        const timestamp = Number(/"timestamp":([\d.]+)/.exec(head)?.[1] ?? Number.NaN);
        attemptId = /"attemptId":"([^"]+)"/.exec(head)?.[1] ?? "";
        batch = [{ seq, timestamp, data: "" }];
      }
      const startedAt = nowMs();
      const response = await logs(request);
      const storedAt = nowMs();
      if (response.ok && ((await response.clone().json()) as { stored: boolean }).stored) {
        for (const chunk of batch) {
          events.onChunkStored?.({ attemptId, seq: chunk.seq, firstByteAt: chunk.timestamp, storedAt, routeMs: storedAt - startedAt, requestChunks: chunksInRequest, data: chunk.data });
        }
      }
      return response;
    },
    "/api/runner/v1/step": step,
    // Remote actions and the services inside them (the `actions` benchmark).
    "/api/runner/v1/actions/resolve": resolveAction,
    "/api/runner/v1/objects": (request) => (request.method === "PUT" ? objectPut(request) : objectGet(request)),
    "/api/actions/*": actionsService,
    "/twirp/*": twirp,
    // A plain git server's post-receive hook (scripts/git-hooks/post-receive): the `fanout` benchmark's push.
    "/api/git/sources/*": (request) => gitPush(request, { params: Promise.resolve({ sourceId: decodeURIComponent(new URL(request.url).pathname.split("/")[4] ?? "") }) }),
  });
  // The runner's only provider is bwrap, wrapped to timestamp the moment a sandbox is ready.
  const timed: SandboxProvider = {
    name: provider.name,
    probe: () => provider.probe(),
    prepare: async (spec) => {
      const sandbox = await provider.prepare(spec);
      events.onSandboxReady?.(nowMs());
      return sandbox;
    },
  };
  const runnerLog: string[] = [];
  const runnerEnv = {
    GANTRY_URL: server.url,
    GANTRY_RUNNER_TOKEN: registrationToken,
    GANTRY_RUNNER_NAME: "bench",
    GANTRY_RUNNER_CAPACITY: String(options.capacity ?? 1),
    ...(providerName === "process" ? { GANTRY_RUNNER_DEV_MODE: "1" } : {}),
    ...options.runnerEnv,
  };
  let agent: AgentHandle | undefined;
  const runners: ChildProcess[] = [];
  if (options.runnerProcess) {
    // GANTRY_BENCH_RUNNER_PROFILE=DIR: the runner process writes a V8 CPU profile there when it exits.
    const profile = process.env.GANTRY_BENCH_RUNNER_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.GANTRY_BENCH_RUNNER_PROFILE}`] : [];
    for (let i = 0; i < (options.runnerProcesses ?? 1); i++) {
      const env = { ...process.env, ...runnerEnv, ...(i > 0 ? { GANTRY_RUNNER_NAME: `${runnerEnv.GANTRY_RUNNER_NAME}-${i}` } : {}) };
      const runner = spawn(process.execPath, [...profile, "--import", "tsx", "apps/runner/src/main.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
      for (const stream of [runner.stdout, runner.stderr]) stream?.on("data", (data: Buffer) => runnerLog.push(...data.toString().split("\n").filter(Boolean)));
      runners.push(runner);
    }
  } else {
    agent = startAgent(parseRunnerEnv(runnerEnv), { providers: [timed], log: (line) => runnerLog.push(line) });
  }

  // Warm: the runner has registered and is long-polling its claim.
  for (const deadline = Date.now() + 30_000; !(await db.system("bench").runner.findFirst({ where: { name: "bench" } })); ) {
    if (Date.now() > deadline) throw new Error(`the runner did not register:\n${runnerLog.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    db,
    url: server.url,
    provider: providerName,
    runnerLog: () => runnerLog,
    events,
    async enqueue(steps) {
      const created = await intake.createRun(db.system("bench"), demo, {
        repositoryId: DEMO.repositoryId,
        idempotencyKey: randomBytes(8).toString("hex"),
        workflowPath: ".gantry/workflows/bench.yml",
        workflowName: "bench",
        event: "push",
        ref: "refs/heads/main",
        sha: "7".repeat(40),
        trusted: true,
        plan: { jobs: [{ key: "bench", jobId: "bench", name: "bench", needs: [], runsOn: ["ubuntu-latest"], timeoutMinutes: 10, continueOnError: false, retry: { maxAttempts: 1 }, env: {}, outputs: {}, steps }] },
      });
      await worker.engine.startRun(demo, created.runId);
      return { runId: created.runId, readyAt: nowMs() };
    },
    async finished(runId, timeoutMs = 60_000) {
      for (const deadline = Date.now() + timeoutMs; ; ) {
        const run = await db.system("bench").workflowRun.findUniqueOrThrow({ where: { id: runId }, include: { jobs: { include: { attempts: true } } } });
        if (["SUCCEEDED", "FAILED", "CANCELED"].includes(run.status)) return { status: run.status, attemptId: run.jobs[0]?.attempts[0]?.id ?? "" };
        if (Date.now() > deadline) throw new Error(`run ${runId} did not finish in ${timeoutMs} ms:\n${runnerLog.slice(-20).join("\n")}`);
        // Not faster: this process also serves the routes being measured, and each poll is a Prisma query.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async archived(attemptId) {
      const store = new DirectoryObjectStore(storage);
      const parts: string[] = [];
      for (let from = 0; ; ) {
        const page = await readAttemptLog(db.forTenant(demo), store, attemptId, from);
        if (page.chunks.length === 0) break;
        for (const chunk of page.chunks) parts.push(chunk.text);
        from = page.nextSeq;
      }
      return parts.join("");
    },
    async close() {
      agent?.stop();
      await agent?.done.catch(() => undefined);
      for (const runner of runners) {
        if (runner.exitCode !== null) continue;
        const exited = new Promise((resolve) => runner.once("exit", resolve));
        runner.kill("SIGTERM");
        await exited;
      }
      await server.close();
      await worker.stop();
      await closeServices();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await db.close();
      await testDb.drop();
      rmSync(storage, { recursive: true, force: true });
    },
  };
}

export { loadAverage, percentile, round, stat } from "./stats";
export const oneStep = (run: string): PlannedStep[] => [{ index: 0, if: "success()", run, env: {}, with: {}, continueOnError: false }];

/**
 * The worker in a process of its own (as deployed), and an engine in this one for what the harness asks directly
 * (a run's first advance). Stopped with SIGTERM, which drains it.
 */
async function startWorkerProcess(env: Record<string, string>, db: Database, prefix: string): Promise<{ engine: Engine; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "apps/worker/src/main.ts"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (data: Buffer) => {
      output += data.toString();
      if (/worker \S+ ready/.test(output)) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`the worker exited (${code}) before it was ready:\n${output}`)));
  });
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queues = new Queues(connection, prefix);
  const schedulerRedis = new Redis(REDIS_URL);
  const engine = createEngine({ db, scheduler: new FairScheduler({ redis: schedulerRedis, prefix }), queues });
  return {
    engine,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      await queues.close();
      connection.disconnect();
      schedulerRedis.disconnect();
    },
  };
}
