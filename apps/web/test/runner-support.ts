// What the runner-route tests share: posting to a route function with a bearer token, registering a runner in the
// demo pool, and a run whose one job is ready to be claimed.
import { randomBytes } from "node:crypto";
import { DEMO, intake, transitions, type TenantContext } from "@gantry/db";
import { PROTOCOL_VERSION, claimResponse, registerResponse, type Assignment } from "@gantry/runner-protocol";
import { enqueueReady } from "@gantry/engine";
import type { PlannedJob, PlannedStep } from "@gantry/workflow-schema";
import { POST as claimRoute } from "../src/app/api/runner/v1/claim/route";
import { POST as registerRoute } from "../src/app/api/runner/v1/register/route";
import { Redis } from "ioredis";
import { closeServices, getServices } from "../src/server/services";
import { TEST_REDIS_URL, type WebTestContext } from "./support";

export const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };

export const post = (route: (request: Request) => Promise<Response>, token: string | null, body: unknown) =>
  route(
    new Request("http://127.0.0.1/api/runner/v1/x", {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    }),
  );

export async function register(t: WebTestContext, name: string) {
  const response = await post(registerRoute, t.registrationToken, { protocolVersion: PROTOCOL_VERSION, name, version: "0.1.0", providers: ["process"], capacity: 1 });
  if (response.status !== 200) throw new Error(`register answered ${response.status}`);
  return registerResponse.parse(await response.json());
}

/**
 * A run with one job, ready to be claimed; `run` changes its event, ref, trust, delivery, steps, `runs-on`, or the
 * tenant and repository it belongs to (the demo's by default).
 */
export async function readyJob(
  t: WebTestContext,
  key: string,
  run: { ref?: string; event?: string; trusted?: boolean; deliveryId?: string; steps?: PlannedStep[]; runsOn?: string[]; tenant?: { ctx: TenantContext; repositoryId: string }; permissions?: PlannedJob["permissions"] } = {},
) {
  const sys = t.database.system("test");
  const ctx = run.tenant?.ctx ?? demo;
  const created = await intake.createRun(sys, ctx, {
    repositoryId: run.tenant?.repositoryId ?? DEMO.repositoryId,
    idempotencyKey: randomBytes(8).toString("hex"),
    workflowPath: ".gantry/workflows/ci.yml",
    workflowName: "CI",
    event: run.event ?? "push",
    ref: run.ref ?? "refs/heads/main",
    sha: "b".repeat(40),
    trusted: run.trusted ?? true,
    ...(run.deliveryId ? { deliveryId: run.deliveryId } : {}),
    plan: {
      jobs: [
        {
          key,
          jobId: key,
          name: key,
          needs: [],
          runsOn: run.runsOn ?? ["ubuntu-latest"],
          timeoutMinutes: 10,
          continueOnError: false,
          retry: { maxAttempts: 1 },
          env: {},
          outputs: { out: "${{ steps.s.outputs.v }}" },
          steps: run.steps ?? [{ index: 0, id: "s", if: "success()", run: "echo hi", env: {}, with: {}, continueOnError: false }],
          ...(run.permissions !== undefined ? { permissions: run.permissions } : {}),
        },
      ],
    },
  });
  const jobId = created.rootJobIds[0] ?? "";
  await transitions.markJobWaiting(sys, ctx, jobId);
  const { unservable } = await enqueueReady(t.database, getServices().scheduler, ctx, [jobId]);
  return { runId: created.runId, jobId, routed: unservable.length === 0 };
}

/** Registers a runner, readies a job and claims it: the assignment with its job token. */
export async function claimedJob(t: WebTestContext, key: string, run: Parameters<typeof readyJob>[2] = {}): Promise<{ assignment: Assignment; runId: string; jobId: string }> {
  const { runnerId, credential } = await register(t, `r-${key}`);
  const { runId, jobId } = await readyJob(t, key, run);
  const assignment = claimResponse.parse(await (await post(claimRoute, credential, { runnerId, waitMs: 0 })).json()).assignment;
  if (!assignment) throw new Error("no assignment");
  return { assignment, runId, jobId };
}

/** After a runner-route test file: the app's services closed, this file's Redis keys gone, its database dropped. */
export async function closeRunnerTest(t: WebTestContext | undefined, prefix: string): Promise<void> {
  await closeServices();
  const redis = new Redis(TEST_REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await t?.close();
}
