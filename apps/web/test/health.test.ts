// GET /api/health through the exported route function, against real Postgres and Redis.
import { randomBytes } from "node:crypto";
import {
  openDatabase,
  workerHeartbeatKey,
  WORKER_HEARTBEAT_TTL_SECONDS,
  type WorkerHeartbeat,
} from "@gantry/db";
import { PROTOCOL_VERSION } from "@gantry/runner-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "../src/app/api/health/route";
import { POST as ping } from "../src/app/api/runner/v1/ping/route";
import { checkHealth, type HealthReport } from "../src/server/health";
import { closeServices, openRedis } from "../src/server/services";
import { setupWebTest, stubWebEnv, type WebTestContext } from "./support";

let t: WebTestContext;
const workerId = `web-test-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  t = await setupWebTest();
  stubWebEnv(t.env);
});
afterAll(async () => {
  await t?.redis.del(workerHeartbeatKey(workerId));
  await closeServices();
  await t?.close();
});

describe("GET /api/health", () => {
  it("is 200 and ok with Postgres and Redis up, listing live workers and runners with their online state", async () => {
    const heartbeat: WorkerHeartbeat = {
      id: workerId,
      pid: 4242,
      hostname: "test-host",
      version: "0.1.0",
      startedAt: new Date().toISOString(),
      queues: ["intake"],
    };
    await t.redis.set(
      workerHeartbeatKey(workerId),
      JSON.stringify(heartbeat),
      "EX",
      WORKER_HEARTBEAT_TTL_SECONDS,
    );
    const pinged = await ping(
      new Request("http://127.0.0.1/api/runner/v1/ping", {
        method: "POST",
        headers: { authorization: `Bearer ${t.registrationToken}` },
        body: JSON.stringify({
          protocolVersion: PROTOCOL_VERSION,
          name: "live",
          version: "1.2.3",
          providers: ["process"],
          capacity: 1,
        }),
      }),
    );
    expect(pinged.status).toBe(200);
    const system = t.database.system("test");
    const pool = await system.runnerPool.findFirstOrThrow({ select: { id: true } });
    await system.runner.create({
      data: {
        id: "rnr_old",
        poolId: pool.id,
        name: "gone",
        credentialHash: "c",
        version: "1.0.0",
        lastSeenAt: new Date(Date.now() - 120_000),
      },
    });

    const response = await GET();
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const report: HealthReport = await response.json();
    expect(report.status).toBe("ok");
    expect(report.postgres).toMatchObject({ ok: true });
    expect(report.redis).toMatchObject({ ok: true });
    expect(report.postgres.latencyMs).toBeGreaterThanOrEqual(0);
    expect(report.workers).toContainEqual(
      expect.objectContaining({ id: workerId, pid: 4242, hostname: "test-host" }),
    );
    expect(report.runners).toEqual([
      expect.objectContaining({ name: "live", pool: "default", version: "1.2.3", online: true }),
      expect.objectContaining({ name: "gone", pool: "default", online: false }),
    ]);
  });

  it("skips heartbeats that are not JSON of the agreed shape", async () => {
    const junk = workerHeartbeatKey(`${workerId}-junk`);
    await t.redis.set(junk, "{not json", "EX", WORKER_HEARTBEAT_TTL_SECONDS);
    try {
      const report: HealthReport = await (await GET()).json();
      expect(report.workers.map((worker) => worker.id)).not.toContain(`${workerId}-junk`);
    } finally {
      await t.redis.del(junk);
    }
  });

  it("is 503 and degraded, saying which part is down, when Redis or Postgres does not answer", async () => {
    await closeServices();
    stubWebEnv({ ...t.env, REDIS_URL: "redis://127.0.0.1:1" });
    try {
      const response = await GET();
      expect(response.status).toBe(503);
      const report: HealthReport = await response.json();
      expect(report.status).toBe("degraded");
      expect(report.postgres.ok).toBe(true);
      expect(report.redis.ok).toBe(false);
      expect(report.redis.error).toMatch(/ECONNREFUSED|connect|answer/i);
      expect(report.workers).toEqual([]);
    } finally {
      await closeServices();
      stubWebEnv(t.env);
    }

    const deadDatabase = openDatabase("postgresql://postgres@127.0.0.1:1/nothing");
    const deadRedis = openRedis("redis://127.0.0.1:1");
    try {
      const started = Date.now();
      const report = await checkHealth({ database: deadDatabase, redis: deadRedis }, { timeoutMs: 1_500 });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(report).toMatchObject({
        status: "degraded",
        postgres: { ok: false },
        redis: { ok: false },
        workers: [],
        runners: [],
      });
      expect(report.postgres.error).toMatch(/^Postgres did not answer: Can't reach database server at 127\.0\.0\.1:1 \(is Postgres running/);
      expect(report.redis.error).toMatch(/ECONNREFUSED/);
    } finally {
      deadRedis.disconnect();
      await deadDatabase.close();
    }
  });
});
