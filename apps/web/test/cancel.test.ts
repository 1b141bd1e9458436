// runs.cancel through the real procedure chain: a developer cancels a run (every live job, then the run) or one
// job; Postgres changes at once through the state machine, the worker is asked to advance the run, the action is
// audited; a viewer is refused and what has ended cannot be cancelled again.
import { randomBytes } from "node:crypto";
import { intake, transitions, type TenantContext } from "@gantry/db";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { DEMO, setupWebTest, TEST_REDIS_URL, type WebTestContext } from "./support";

let t: WebTestContext;
const admin: SessionUser = { userId: DEMO.userId, email: DEMO.email, name: "Demo Admin" };
const viewer: SessionUser = { userId: "usr_viewer", email: "viewer@gantry.local", name: "Viewer" };
const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };
const callerFor = (session: SessionUser) => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues }));
const sys = () => t.database.system("test");

beforeAll(async () => {
  t = await setupWebTest();
  await sys().user.create({ data: { id: viewer.userId, email: viewer.email, name: viewer.name } });
  await sys().membership.create({ data: { tenantId: DEMO.tenantId, userId: viewer.userId, role: "VIEWER" } });
});
afterAll(async () => {
  await t?.close();
});

/** build (RUNNING, attempt 1) → test (QUEUED). */
async function liveRun() {
  const job = (key: string, needs: string[] = []) => ({ key, jobId: key, name: key, needs, runsOn: ["ubuntu-latest"], timeoutMinutes: 5, continueOnError: false, retry: { maxAttempts: 1 } });
  const created = await intake.createRun(sys(), demo, {
    repositoryId: DEMO.repositoryId,
    idempotencyKey: randomBytes(8).toString("hex"),
    workflowPath: ".gantry/workflows/ci.yml",
    workflowName: "CI",
    event: "push",
    ref: "refs/heads/main",
    sha: "a".repeat(40),
    trusted: true,
    plan: { jobs: [job("build"), job("test", ["build"])] },
  });
  const jobs = await sys().jobRun.findMany({ where: { runId: created.runId } });
  const build = jobs.find((candidate) => candidate.key === "build")?.id ?? "";
  await transitions.markJobWaiting(sys(), demo, build);
  await transitions.assignJob(sys(), demo, { jobId: build, expectedAttempt: 0, leaseMs: 60_000 });
  return { runId: created.runId, build, test: jobs.find((candidate) => candidate.key === "test")?.id ?? "" };
}

const statusOf = async (table: "jobRun" | "workflowRun", id: string) =>
  table === "jobRun" ? (await sys().jobRun.findUniqueOrThrow({ where: { id } })).status : (await sys().workflowRun.findUniqueOrThrow({ where: { id } })).status;

describe("runs.cancel", () => {
  it("cancels every live job and the run at once, audits it and asks the worker to advance", async () => {
    const run = await liveRun();
    expect(await callerFor(admin).runs.cancel({ tenant: DEMO.tenantSlug, runId: run.runId })).toEqual({ runId: run.runId, canceledJobs: 2 });
    expect([await statusOf("jobRun", run.build), await statusOf("jobRun", run.test), await statusOf("workflowRun", run.runId)]).toEqual(["CANCELED", "CANCELED", "CANCELED"]);
    const audit = await sys().auditEvent.findMany({ where: { targetId: run.runId } });
    expect(audit.map((event) => [event.action, event.actorId])).toEqual([["run.cancel", DEMO.userId]]);
    const queue = new Queue("gantry-orchestration", { connection: { url: TEST_REDIS_URL }, prefix: t.env.GANTRY_QUEUE_PREFIX ?? "" });
    try {
      expect((await queue.getJob(`advance-${run.runId}-cancel-run`))?.data).toEqual({ tenantId: DEMO.tenantId, runId: run.runId });
    } finally {
      await queue.close();
    }
    await expect(callerFor(admin).runs.cancel({ tenant: DEMO.tenantSlug, runId: run.runId })).rejects.toMatchObject({ code: "CONFLICT", message: `Run ${run.runId} has already ended (cancelled).` });
  });

  it("cancels one job by its key and leaves the rest to the worker's advancement", async () => {
    const run = await liveRun();
    expect((await callerFor(admin).runs.cancel({ tenant: DEMO.tenantSlug, runId: run.runId, jobKey: "build" })).canceledJobs).toBe(1);
    expect(await statusOf("jobRun", run.build)).toBe("CANCELED");
    expect(await statusOf("jobRun", run.test)).toBe("QUEUED");
    expect(await statusOf("workflowRun", run.runId)).not.toBe("CANCELED");
    await expect(callerFor(admin).runs.cancel({ tenant: DEMO.tenantSlug, runId: run.runId, jobKey: "deploy" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: `Run ${run.runId} has no job deploy (jobs: build, test).`,
    });
  });

  it("refuses a viewer, changing nothing", async () => {
    const run = await liveRun();
    await expect(callerFor(viewer).runs.cancel({ tenant: DEMO.tenantSlug, runId: run.runId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await statusOf("workflowRun", run.runId)).toBe("QUEUED");
    expect(await statusOf("jobRun", run.build)).toBe("RUNNING");
  });
});
