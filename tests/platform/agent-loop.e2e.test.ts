// The real runner agent against the real control-plane code: the web app's runner routes (served over HTTP
// without Next), a started worker (advance-run, ready queues), Postgres and Redis. Only the job executor is
// the test's own: it decides each job's outcome, so the loop around it is what is tested.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DEMO, intake, newToken, openDatabase, seedDemo, type Database, type TenantContext } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import type { Assignment } from "@gantry/runner-protocol";
import { Redis } from "ioredis";
import { POST as claim } from "../../apps/web/src/app/api/runner/v1/claim/route";
import { POST as complete } from "../../apps/web/src/app/api/runner/v1/complete/route";
import { POST as heartbeat } from "../../apps/web/src/app/api/runner/v1/heartbeat/route";
import { POST as register } from "../../apps/web/src/app/api/runner/v1/register/route";
import { closeServices } from "../../apps/web/src/server/services";
import { startAgent, type AgentHandle, type JobOutcome } from "../../apps/runner/src/index";
import { parseRunnerEnv } from "../../apps/runner/src/env";
import { parseWorkerEnv } from "../../apps/worker/src/env";
import { advanceRun } from "../../apps/worker/src/orchestration/advance-run";
import { cancelRun } from "../../apps/worker/src/orchestration/cancel";
import { makeReadyHandler } from "../../apps/worker/src/ready-handler";
import { startWorker, type RunningWorker } from "../../apps/worker/src/worker";
import { serveRoutes } from "./route-server";

const REDIS_URL = process.env.GANTRY_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;
const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };
let testDb: TestDatabase;
let db: Database;
let worker: RunningWorker;
let server: { url: string; close(): Promise<void> };
let agent: AgentHandle | undefined;
const registrationToken = newToken("grt");

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  await seedDemo(db, { repositoryUrl: "/nonexistent", runnerRegistrationToken: registrationToken });
  for (const [name, value] of Object.entries({
    DATABASE_URL: testDb.url,
    REDIS_URL,
    NEXTAUTH_SECRET: randomBytes(24).toString("base64url"),
    NEXTAUTH_URL: "http://127.0.0.1:3999",
    GANTRY_QUEUE_PREFIX: prefix,
    GANTRY_LEASE_MS: "5000",
    GANTRY_HEARTBEAT_MS: "200",
  }))
    vi.stubEnv(name, value);
  worker = await startWorker(parseWorkerEnv({ DATABASE_URL: testDb.url, REDIS_URL, GANTRY_QUEUE_PREFIX: prefix, GANTRY_WORKER_ID: prefix }), () => undefined);
  server = await serveRoutes({
    "/api/runner/v1/register": register,
    "/api/runner/v1/claim": claim,
    "/api/runner/v1/heartbeat": heartbeat,
    "/api/runner/v1/complete": complete,
  });
});
afterAll(async () => {
  agent?.stop();
  await agent?.done.catch(() => undefined);
  await server?.close();
  await worker?.stop();
  await closeServices();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await db.close();
  await testDb.drop();
});

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function startRun(jobs: { key: string; needs?: string[] }[]) {
  const created = await intake.createRun(db.system("test"), demo, {
    repositoryId: DEMO.repositoryId,
    idempotencyKey: randomBytes(8).toString("hex"),
    workflowPath: ".gantry/workflows/ci.yml",
    workflowName: "CI",
    event: "push",
    ref: "refs/heads/main",
    sha: "7".repeat(40),
    trusted: true,
    plan: {
      jobs: jobs.map((job) => ({
        key: job.key,
        jobId: job.key,
        name: job.key,
        needs: job.needs ?? [],
        runsOn: ["ubuntu-latest"],
        timeoutMinutes: 5,
        continueOnError: false,
        retry: { maxAttempts: 1 },
        env: {},
        outputs: {},
        steps: [{ index: 0, if: "success()", run: `echo ${job.key}`, env: {}, with: {}, continueOnError: false }],
      })),
    },
  });
  const ready = makeReadyHandler(db, worker.scheduler);
  await advanceRun(db, demo, created.runId, (ids) => ready(demo, ids));
  return created.runId;
}

const finished = (runId: string) => async () => {
  const run = await db.system("test").workflowRun.findUniqueOrThrow({ where: { id: runId }, include: { jobs: { include: { attempts: true } } } });
  return ["SUCCEEDED", "FAILED", "CANCELED"].includes(run.status) ? run : undefined;
};

describe("runner agent ⇄ control plane", () => {
  it("registers, claims each job as its needs finish, passes needs outputs along, and the run concludes", async () => {
    const seen: Assignment[] = [];
    const executor = async (assignment: Assignment): Promise<JobOutcome> => {
      seen.push(assignment);
      return assignment.job.key === "lint"
        ? { conclusion: "FAILED", outputs: {}, failureReason: "exit 1" }
        : { conclusion: "SUCCEEDED", outputs: { built: assignment.job.key } };
    };
    agent = startAgent(parseRunnerEnv({ GANTRY_URL: server.url, GANTRY_RUNNER_TOKEN: registrationToken, GANTRY_RUNNER_NAME: "loop", GANTRY_RUNNER_CAPACITY: "2" }), executor, () => undefined);
    const runId = await startRun([{ key: "build" }, { key: "test", needs: ["build"] }, { key: "lint" }]);
    const run = await until(finished(runId), "the run to conclude");
    expect(run.status).toBe("FAILED");
    expect(Object.fromEntries(run.jobs.map((job) => [job.key, [job.status, job.attempts.length]]))).toEqual({
      build: ["SUCCEEDED", 1],
      test: ["SUCCEEDED", 1],
      lint: ["FAILED", 1],
    });
    const test = seen.find((assignment) => assignment.job.key === "test");
    expect(test?.needs).toEqual({ build: { result: "success", outputs: { built: "build" } } });
    const runner = await db.system("test").runner.findFirstOrThrow({ where: { name: "loop" } });
    expect(run.jobs.every((job) => job.attempts[0]?.runnerId === runner.id)).toBe(true);
  });

  it("a cancelled run stops the running job through its heartbeat", async () => {
    let aborted = false;
    agent?.stop();
    await agent?.done;
    const executor = (_assignment: Assignment, signal: AbortSignal) =>
      new Promise<JobOutcome>((resolve) => {
        signal.addEventListener("abort", () => {
          aborted = true;
          resolve({ conclusion: "CANCELED", outputs: {} });
        });
      });
    agent = startAgent(parseRunnerEnv({ GANTRY_URL: server.url, GANTRY_RUNNER_TOKEN: registrationToken, GANTRY_RUNNER_NAME: "loop2" }), executor, () => undefined);
    const runId = await startRun([{ key: "forever" }]);
    await until(async () => ((await db.system("test").jobAttempt.count({ where: { job: { runId }, status: "RUNNING" } })) > 0 ? true : undefined), "the job to start");
    await cancelRun(db, demo, runId, "cancelled by a person");
    await until(async () => (aborted ? true : undefined), "the executor to be aborted", 10_000);
    const attempt = await until(
      async () => (await db.system("test").jobAttempt.findFirst({ where: { job: { runId }, status: { not: "RUNNING" } } })) ?? undefined,
      "the attempt to end",
    );
    expect(attempt.status).toBe("CANCELED");
  });
});
