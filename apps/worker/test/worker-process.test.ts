import { spawn } from "node:child_process";
import { until } from "@gantry/testing";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WORKER_HEARTBEAT_PATTERN, workerHeartbeatKey } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { parseWorkerEnv } from "../src/env";
import { TEST_REDIS_URL as REDIS_URL } from "@gantry/testing";

const main = path.resolve(import.meta.dirname, "../src/main.ts");

function runWorker(env: Record<string, string>) {
  // As `npm run up` starts it: one node process with tsx's loader (the tsx CLI's signal relay SIGKILLs a child that is
  // slow to acknowledge a signal, which made this test fail on a loaded machine).
  const child = spawn(process.execPath, ["--import", "tsx", main], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.drop();
});

describe("worker env", () => {
  it("names the missing variable", () => {
    expect(() => parseWorkerEnv({ DATABASE_URL: "postgresql://x@127.0.0.1/db" })).toThrow(/REDIS_URL is not set/);
    expect(() => parseWorkerEnv({ REDIS_URL: "redis://127.0.0.1:6379" })).toThrow(/DATABASE_URL is not set/);
    expect(() => parseWorkerEnv({ DATABASE_URL: "not a url", REDIS_URL: "redis://127.0.0.1:6379" })).toThrow(/DATABASE_URL is not a URL/);
  });
});

describe("the worker process", () => {
  it("stops with one clear line when Redis does not answer", async () => {
    const run = runWorker({ DATABASE_URL: testDb.url, REDIS_URL: "redis://127.0.0.1:1" });
    expect(await run.exited).toBe(1);
    const lines = run.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gantry worker: REDIS_URL \(127\.0\.0\.1:1\) does not answer: .*Start Redis or fix REDIS_URL\.$/);
  });

  it("stops with one clear line when Postgres does not answer", async () => {
    const run = runWorker({ DATABASE_URL: "postgresql://postgres@127.0.0.1:1/gantry", REDIS_URL });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toMatch(/^gantry worker: DATABASE_URL \(127\.0\.0\.1:1\) does not answer: .*Start Postgres or fix DATABASE_URL\.$/);
  });

  it("announces itself in Redis while it runs and withdraws on SIGTERM", async () => {
    const id = `test-${randomBytes(4).toString("hex")}`;
    const redis = new Redis(REDIS_URL);
    const run = runWorker({ DATABASE_URL: testDb.url, REDIS_URL, GANTRY_WORKER_ID: id, GANTRY_QUEUE_PREFIX: `gantry-test-${id}` });
    try {
      const beat = await until("the heartbeat", async () => (await redis.get(workerHeartbeatKey(id))) ?? undefined);
      // Every queue the worker consumes is announced (others may be added beside these).
      const queues = ["gantry-maintenance", "gantry-intake", "gantry-timers", "gantry-orchestration", "gantry-schedules", "gantry-git-refs"];
      expect(JSON.parse(beat)).toMatchObject({ id, queues: expect.arrayContaining(queues) });
      expect(await redis.keys(WORKER_HEARTBEAT_PATTERN)).toContain(workerHeartbeatKey(id));
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
      expect(await redis.exists(workerHeartbeatKey(id))).toBe(0);
    } finally {
      run.child.kill("SIGKILL");
      const stale = await redis.keys(`gantry-test-${id}:*`);
      if (stale.length) await redis.del(...stale);
      redis.disconnect();
    }
  });
});
