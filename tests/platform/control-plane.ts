// The control plane the whole-platform tests run a real runner agent against: a fresh test database with the demo
// tenant, a started worker, every runner route served over HTTP (route-server), and a private object store
// directory and Redis key prefix; `close()` removes all of it.
import { randomBytes } from "node:crypto";
export { until } from "@gantry/testing";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { vi } from "vitest";
import { DEMO, intake, newToken, openDatabase, seedDemo, type Database, type TenantContext } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { POST as artifacts } from "../../apps/web/src/app/api/runner/v1/artifacts/route";
import { POST as caches } from "../../apps/web/src/app/api/runner/v1/caches/route";
import { POST as claim } from "../../apps/web/src/app/api/runner/v1/claim/route";
import { POST as complete } from "../../apps/web/src/app/api/runner/v1/complete/route";
import { POST as heartbeat } from "../../apps/web/src/app/api/runner/v1/heartbeat/route";
import { POST as logs } from "../../apps/web/src/app/api/runner/v1/logs/route";
import { GET as objectGet, PUT as objectPut } from "../../apps/web/src/app/api/runner/v1/objects/route";
import { POST as register } from "../../apps/web/src/app/api/runner/v1/register/route";
import { POST as step } from "../../apps/web/src/app/api/runner/v1/step/route";
import { POST as githubWebhook } from "../../apps/web/src/app/api/github/webhooks/route";
import { POST as checkoutToken } from "../../apps/web/src/app/api/runner/v1/checkout-token/route";
import { POST as resolveAction } from "../../apps/web/src/app/api/runner/v1/actions/resolve/route";
import { POST as actionsService } from "../../apps/web/src/app/api/actions/[...path]/route";
import { POST as twirp } from "../../apps/web/src/app/twirp/[...path]/route";
import { closeServices } from "../../apps/web/src/server/services";
import { parseWorkerEnv } from "../../apps/worker/src/env";
import { startWorker, type RunningWorker } from "../../apps/worker/src/worker";
import { serveRoutes, type RouteHandler } from "./route-server";
import { testRedis, TEST_REDIS_URL as REDIS_URL } from "@gantry/testing";

export { REDIS_URL };

export const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };

export interface ControlPlane {
  db: Database;
  /** The platform's own test database (its name is this test's alone). */
  databaseUrl: string;
  worker: RunningWorker;
  url: string;
  /** The object store directory (GANTRY_STORAGE_DIR). */
  storage: string;
  /** The demo pool's registration token, in the clear. */
  registrationToken: string;
  /** Creates a run of `plan` on refs/heads/main and readies its root jobs; the run id. */
  startRun(plan: Parameters<typeof intake.createRun>[2]["plan"]): Promise<string>;
  close(): Promise<void>;
}

/**
 * `routes` replace the served route of the same path (e.g. a flaky wrapper); `redisUrl` points web and worker at
 * another Redis (a private one a test may flush); `log` receives the worker's log lines; with `onRouteError` a route
 * that throws answers 500, as under Next (route-server.ts).
 */
export async function startControlPlane(
  options: {
    env?: Record<string, string>;
    routes?: Record<string, RouteHandler>;
    redisUrl?: string;
    log?: (line: string) => void;
    onRouteError?: (error: unknown) => void;
  } = {},
): Promise<ControlPlane> {
  const keys = testRedis("platform", options.redisUrl ?? REDIS_URL);
  const { url: redisUrl, prefix } = keys;
  const registrationToken = newToken("grt");
  const storage = mkdtempSync(path.join(os.tmpdir(), "gantry-storage-"));
  const testDb: TestDatabase = await createTestDatabase();
  const db = openDatabase(testDb.url);
  await seedDemo(db, { repositoryUrl: "/nonexistent", runnerRegistrationToken: registrationToken });
  const env = {
    DATABASE_URL: testDb.url,
    REDIS_URL: redisUrl,
    NEXTAUTH_SECRET: randomBytes(24).toString("base64url"),
    NEXTAUTH_URL: "http://127.0.0.1:3999",
    GANTRY_QUEUE_PREFIX: prefix,
    GANTRY_LEASE_MS: "5000",
    GANTRY_HEARTBEAT_MS: "200",
    GANTRY_STORAGE_DIR: storage,
    ...options.env,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  // The worker reads the same configuration (a GitHub App, the master key) as the routes.
  const worker = await startWorker(parseWorkerEnv({ ...options.env, DATABASE_URL: testDb.url, REDIS_URL: redisUrl, GANTRY_QUEUE_PREFIX: prefix, GANTRY_WORKER_ID: prefix }), options.log ?? (() => undefined));
  const server = await serveRoutes({
    "/api/runner/v1/register": register,
    "/api/runner/v1/claim": claim,
    "/api/runner/v1/heartbeat": heartbeat,
    "/api/runner/v1/complete": complete,
    "/api/runner/v1/logs": logs,
    "/api/runner/v1/step": step,
    "/api/runner/v1/artifacts": artifacts,
    "/api/runner/v1/caches": caches,
    "/api/runner/v1/objects": (request) => (request.method === "PUT" ? objectPut(request) : objectGet(request)),
    "/api/runner/v1/actions/resolve": resolveAction,
    "/api/runner/v1/checkout-token": checkoutToken,
    "/api/github/webhooks": githubWebhook,
    // The actions toolkit's services (each handler takes every method of its path).
    "/api/actions/*": actionsService,
    "/twirp/*": twirp,
    ...options.routes,
  }, options.onRouteError);
  return {
    db,
    databaseUrl: testDb.url,
    worker,
    url: server.url,
    storage,
    registrationToken,
    async startRun(plan) {
      const created = await intake.createRun(db.system("test"), demo, {
        repositoryId: DEMO.repositoryId,
        idempotencyKey: randomBytes(8).toString("hex"),
        workflowPath: ".gantry/workflows/ci.yml",
        workflowName: "CI",
        event: "push",
        ref: "refs/heads/main",
        sha: "7".repeat(40),
        trusted: true,
        plan,
      });
      await worker.engine.startRun(demo, created.runId);
      return created.runId;
    },
    async close() {
      await server.close();
      await worker.stop();
      await closeServices();
      await keys.close();
      await db.close();
      await testDb.drop();
      rmSync(storage, { recursive: true, force: true });
    },
  };
}

