// The runner protocol through the exported route functions: register → claim → heartbeat → complete,
// against a real database, real Redis and the real fair scheduler.
import { randomBytes } from "node:crypto";
import { DEMO, intake, transitions } from "@gantry/db";
import { PROTOCOL_VERSION, claimResponse, heartbeatResponse } from "@gantry/runner-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as claimRoute } from "../src/app/api/runner/v1/claim/route";
import { POST as completeRoute } from "../src/app/api/runner/v1/complete/route";
import { POST as heartbeatRoute } from "../src/app/api/runner/v1/heartbeat/route";
import { POST as registerRoute } from "../src/app/api/runner/v1/register/route";
import { closeRunnerTest, demo, post, readyJob as readyJobIn, register as registerIn } from "./runner-support";
import { setupWebTest, stubWebEnv, type WebTestContext } from "./support";

let t: WebTestContext;
const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  t = await setupWebTest();
  stubWebEnv({ ...t.env, GANTRY_QUEUE_PREFIX: prefix, GANTRY_LEASE_MS: "30000", GANTRY_HEARTBEAT_MS: "5000" });
});
afterAll(async () => {
  await closeRunnerTest(t, prefix);
});

const register = (name: string) => registerIn(t, name);
const readyJob = (key: string) => readyJobIn(t, key);

describe("the runner protocol", () => {
  it("refuses a wrong registration token and a wrong runner credential, writing nothing", async () => {
    expect((await post(registerRoute, "grt_wrong_wrong_wrong_wrong", { protocolVersion: PROTOCOL_VERSION, name: "x", version: "1", providers: [], capacity: 1 })).status).toBe(401);
    const { runnerId } = await register("r-auth");
    expect((await post(claimRoute, "grc_wrong_wrong_wrong_wrong", { runnerId, waitMs: 0 })).status).toBe(401);
  });

  it("answers an empty claim with no assignment once the wait is over", async () => {
    const { runnerId, credential } = await register("r-empty");
    const response = await post(claimRoute, credential, { runnerId, waitMs: 0 });
    expect(claimResponse.parse(await response.json())).toEqual({ assignment: null });
  });

  it("claims a ready job with its planned steps, heartbeats, completes once, and only with its own token", async () => {
    const { runnerId, credential } = await register("r-work");
    const { jobId, runId } = await readyJob("build");
    const claimed = claimResponse.parse(await (await post(claimRoute, credential, { runnerId, waitMs: 0 })).json());
    const assignment = claimed.assignment;
    if (!assignment) throw new Error("no assignment");
    expect(assignment).toMatchObject({ attempt: 1, leaseMs: 30000, heartbeatMs: 5000, run: { id: runId, repository: DEMO.repositoryName, trusted: true } });
    expect(assignment.job.steps.map((step) => step.run)).toEqual(["echo hi"]);
    const attempt = await t.database.system("test").jobAttempt.findUniqueOrThrow({ where: { id: assignment.attemptId } });
    expect(attempt.jobTokenHash).not.toContain(assignment.jobToken);

    const beat = heartbeatResponse.parse(await (await post(heartbeatRoute, assignment.jobToken, { attemptId: assignment.attemptId })).json());
    expect(beat.cancel).toBe(false);
    expect((await t.database.system("test").jobAttempt.findUniqueOrThrow({ where: { id: assignment.attemptId } })).status).toBe("RUNNING");
    expect((await post(heartbeatRoute, "gjt_not_the_token_not_the_token", { attemptId: assignment.attemptId })).status).toBe(401);

    const done = await post(completeRoute, assignment.jobToken, { attemptId: assignment.attemptId, conclusion: "SUCCEEDED", outputs: { out: "42" } });
    expect(await done.json()).toEqual({ applied: true });
    const again = await post(completeRoute, assignment.jobToken, { attemptId: assignment.attemptId, conclusion: "FAILED" });
    expect(await again.json()).toEqual({ applied: false });
    const job = await t.database.system("test").jobRun.findUniqueOrThrow({ where: { id: jobId } });
    expect([job.status, job.outputs]).toEqual(["SUCCEEDED", { out: "42" }]);
    // After the attempt ended, a heartbeat tells the runner to stop.
    expect(heartbeatResponse.parse(await (await post(heartbeatRoute, assignment.jobToken, { attemptId: assignment.attemptId })).json()).cancel).toBe(true);
  });

  it("carries the pool's resource limits with each assignment, read at claim time", async () => {
    const { runnerId, credential } = await register("r-limits");
    const claimRaw = async (key: string) => {
      await readyJob(key);
      const body: unknown = await (await post(claimRoute, credential, { runnerId, waitMs: 0 })).json();
      return body;
    };
    // The seeded demo pool: the defaults, on the wire as they are (not filled in by the schema's default).
    const first = await claimRaw("limits-default");
    expect(first).toMatchObject({ assignment: { limits: { cpus: 2, memoryBytes: 4 * 1024 ** 3, pids: 1024, diskBytes: 10 * 1024 ** 3, fileSizeBytes: 10 * 1024 ** 3, maxTimeoutMinutes: 360 } } });
    // A pool change reaches the next job of the same runner without registering again; no file size means the disk's.
    await t.database.system("test").runnerPool.update({ where: { id: DEMO.poolId }, data: { cpus: 0.5, memoryBytes: 64n * 1024n ** 2n, pids: 64, diskBytes: 256n * 1024n ** 2n, fileSizeBytes: null, maxTimeoutMinutes: 5 } });
    try {
      const second = await claimRaw("limits-changed");
      expect(second).toMatchObject({ assignment: { limits: { cpus: 0.5, memoryBytes: 64 * 1024 ** 2, pids: 64, diskBytes: 256 * 1024 ** 2, fileSizeBytes: 256 * 1024 ** 2, maxTimeoutMinutes: 5 } } });
    } finally {
      await t.database.system("test").runnerPool.update({ where: { id: DEMO.poolId }, data: { cpus: 2, memoryBytes: 4n * 1024n ** 3n, pids: 1024, diskBytes: 10n * 1024n ** 3n, fileSizeBytes: null, maxTimeoutMinutes: 360 } });
    }
  });

  it("gives a manual run's typed inputs with its job", async () => {
    const { runnerId, credential } = await register("r-inputs");
    const { runId } = await readyJob("deploy");
    // As workflow_dispatch intake stores them (apps/worker/test/workflow-dispatch.test.ts covers that side).
    await t.database.system("test").workflowRun.update({ where: { id: runId }, data: { event: "workflow_dispatch", inputs: { flag: true, count: 3, target: "staging" } } });
    const { assignment } = claimResponse.parse(await (await post(claimRoute, credential, { runnerId, waitMs: 0 })).json());
    expect(assignment?.run).toMatchObject({ id: runId, event: "workflow_dispatch", inputs: { flag: true, count: 3, target: "staging" } });
  });

  it("gives the job the workflow's env under its own, and who started the run", async () => {
    const { runnerId, credential } = await register("r-env");
    const { runId } = await readyJob("env");
    const sys = t.database.system("test");
    const run = await sys.workflowRun.findUniqueOrThrow({ where: { id: runId } });
    const plan = run.plan as { jobs: { env: Record<string, string> }[] };
    const job = plan.jobs[0];
    if (!job) throw new Error("no planned job");
    job.env = { SHARED: "job", OWN: "${{ github.sha }}" };
    await sys.workflowRun.update({ where: { id: runId }, data: { triggeredBy: "octocat", plan: { ...plan, env: { SHARED: "workflow", TOP: "${{ github.repository_owner }}" } } } });
    const { assignment } = claimResponse.parse(await (await post(claimRoute, credential, { runnerId, waitMs: 0 })).json());
    expect(assignment?.job.env).toEqual({ SHARED: "job", TOP: "${{ github.repository_owner }}", OWN: "${{ github.sha }}" });
    expect(assignment?.run.actor).toBe("octocat");
  });

  it("gives the job the event that started the run, in GitHub's shape, and never another tenant's", async () => {
    const { runnerId, credential } = await register("r-event");
    const sys = t.database.system("test");
    const claimWith = async (delivery: { source: "git" | "github" | "api" | "gantry"; event: string; payload: object; tenantId?: string | null }) => {
      const { runId } = await readyJob(`event-${delivery.source}-${randomBytes(2).toString("hex")}`);
      const stored = await intake.recordDelivery(t.database.sql("test"), { deliveryId: randomBytes(8).toString("hex"), source: delivery.source, event: delivery.event, payload: JSON.parse(JSON.stringify(delivery.payload)), ...(delivery.tenantId ? { tenantId: delivery.tenantId } : {}) });
      await sys.workflowRun.update({ where: { id: runId }, data: { deliveryId: stored.id } });
      const { assignment } = claimResponse.parse(await (await post(claimRoute, credential, { runnerId, waitMs: 0 })).json());
      return assignment?.run.eventPayload;
    };
    const sha = "c".repeat(40);
    expect(await claimWith({ source: "git", event: "push", payload: { repository: "demo/hello", ref: "refs/heads/main", before: "0".repeat(40), after: sha, pusher: "ada" } })).toEqual({
      ref: "refs/heads/main",
      before: "0".repeat(40),
      after: sha,
      created: true,
      deleted: false,
      repository: { full_name: "demo/hello", name: "hello", owner: { login: "demo", name: "demo" } },
      pusher: { name: "ada" },
      sender: { login: "ada" },
    });
    const pullRequest = { action: "opened", number: 7, pull_request: { number: 7, head: { sha } } };
    expect(await claimWith({ source: "github", event: "pull_request", payload: pullRequest })).toEqual(pullRequest);
    expect(await claimWith({ source: "api", event: "workflow_dispatch", payload: { idempotencyKey: "k", workflowPath: ".gantry/workflows/ci.yml", ref: "refs/heads/main", sha, inputs: { n: 3, ok: true }, actor: "ada" } })).toMatchObject({
      inputs: { n: "3", ok: "true" },
      workflow: ".gantry/workflows/ci.yml",
      sender: { login: "ada" },
    });
    // An event Gantry made (workflow_run, repository_dispatch from the API) is stored in GitHub's shape: as is.
    const dispatched = { action: "deploy", branch: "main", client_payload: { target: "prod" }, sender: { login: "ada" } };
    expect(await claimWith({ source: "gantry", event: "repository_dispatch", payload: dispatched })).toEqual(dispatched);
    // A scheduled run (no delivery): the cron that fired it, read back from its key.
    const { runId: scheduled } = await readyJob(`event-schedule-${randomBytes(2).toString("hex")}`);
    await sys.workflowRun.update({ where: { id: scheduled }, data: { event: "schedule", idempotencyKey: `schedule:${DEMO.repositoryId}:.gantry/workflows/nightly.yml:30 2 * * 1:2026-11-30T02:30:00.000Z` } });
    const nightly = claimResponse.parse(await (await post(claimRoute, credential, { runnerId, waitMs: 0 })).json()).assignment;
    expect(nightly?.run.eventPayload).toEqual({ schedule: "30 2 * * 1" });
    await sys.tenant.create({ data: { id: "ten_other_event", slug: "other-event", name: "Other" } });
    expect(await claimWith({ source: "github", event: "push", payload: { secret: "theirs" }, tenantId: "ten_other_event" })).toEqual({});
  });

  it("tells a running job to stop once it is cancelled, and a lapsed lease is a 409", async () => {
    const { runnerId, credential } = await register("r-cancel");
    const { jobId } = await readyJob("long");
    const assignment = claimResponse.parse(await (await post(claimRoute, credential, { runnerId, waitMs: 0 })).json()).assignment;
    if (!assignment) throw new Error("no assignment");
    await transitions.cancelJob(t.database.system("test"), demo, jobId, "cancelled by a person");
    const beat = heartbeatResponse.parse(await (await post(heartbeatRoute, assignment.jobToken, { attemptId: assignment.attemptId })).json());
    expect(beat).toMatchObject({ cancel: true, reason: "the job was cancelled" });
    await t.database.system("test").$executeRaw`UPDATE "JobAttempt" SET "leaseExpiresAt" = now() - interval '1 second' WHERE id = ${assignment.attemptId}`;
    expect((await post(heartbeatRoute, assignment.jobToken, { attemptId: assignment.attemptId })).status).toBe(409);
  });
});
