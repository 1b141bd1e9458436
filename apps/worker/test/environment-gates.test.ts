// Environment protection rules gate a job whose needs are met: branch policies refuse, wait timers and required
// reviewers hold the job QUEUED until their time or decision; approvals expire; timers are BullMQ delayed jobs
// rebuilt from Postgres when a worker starts. Real Postgres and Redis.
import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, openDatabase, transitions, type Database, type TenantContext } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { parseWorkerEnv } from "../src/env";
import { advanceRun, rerun } from "@gantry/engine";
import { evaluateEnvironmentName } from "@gantry/engine";
import { startWorker } from "../src/worker";
import { testRedis, TEST_REDIS_URL as REDIS_URL } from "@gantry/testing";

let testDb: TestDatabase;
let db: Database;
const ctx: TenantContext = { tenantId: "ten_gates", actor: { kind: "SYSTEM" } };
const sys = () => db.system("test");

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  await sys().tenant.create({ data: { id: ctx.tenantId, slug: "gates", name: "Gates" } });
  await sys().repository.create({ data: { id: "repo", tenantId: ctx.tenantId, fullName: "g/app" } });
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
});

/** An environment with the given rules (a fresh name per test, so tests do not share approvals or timers). */
async function environment(rules: { kind: "REQUIRED_REVIEWERS" | "WAIT_TIMER" | "BRANCH_POLICY"; config: object }[]) {
  const name = `env-${randomBytes(3).toString("hex")}`;
  const id = `${name}-id`;
  await sys().environment.create({ data: { id, tenantId: ctx.tenantId, repositoryId: "repo", name } });
  for (const [index, rule] of rules.entries()) await sys().protectionRule.create({ data: { id: `${id}-${index}`, tenantId: ctx.tenantId, environmentId: id, kind: rule.kind, config: rule.config } });
  return { id, name };
}

/** A run of build → deploy (environment: `environmentName`, may be an expression), on `ref`. */
async function deployRun(environmentName: string, ref = "refs/heads/main") {
  const created = await intake.createRun(sys(), ctx, {
    repositoryId: "repo",
    idempotencyKey: randomBytes(8).toString("hex"),
    workflowPath: "deploy.yml",
    workflowName: "Deploy",
    event: "push",
    ref,
    sha: "e".repeat(40),
    trusted: true,
    plan: {
      jobs: [
        { key: "build", jobId: "build", name: "build", needs: [], runsOn: ["x"], timeoutMinutes: 5, continueOnError: false, retry: { maxAttempts: 1 } },
        { key: "deploy", jobId: "deploy", name: "deploy", needs: ["build"], runsOn: ["x"], timeoutMinutes: 5, continueOnError: false, retry: { maxAttempts: 1 }, environment: { name: environmentName } },
      ],
    },
  });
  const jobs = await sys().jobRun.findMany({ where: { runId: created.runId } });
  const byKey = (key: string) => jobs.find((job) => job.key === key)?.id ?? "";
  return { runId: created.runId, build: byKey("build"), deploy: byKey("deploy") };
}

/** Runs `build` to success and advances: `deploy` now meets its needs and reaches its gate. */
async function buildSucceeds(run: { runId: string; build: string }) {
  await advanceRun(db, ctx, run.runId);
  const assignment = await transitions.assignJob(sys(), ctx, { jobId: run.build, expectedAttempt: 0, leaseMs: 30_000 });
  if (!assignment) throw new Error("build not assignable");
  await transitions.finishJob(sys(), ctx, run.build, assignment.attempt, "SUCCEEDED");
  return advanceRun(db, ctx, run.runId);
}

const job = (id: string) => sys().jobRun.findUniqueOrThrow({ where: { id } });

/** A deploy job held at an environment whose two named reviewers must both approve. */
async function awaitingTwoApprovals() {
  const env = await environment([{ kind: "REQUIRED_REVIEWERS", config: { reviewers: ["usr_a", "usr_b"], requiredApprovals: 2 } }]);
  const run = await deployRun(env.name);
  await buildSucceeds(run);
  const approval = await sys().approval.findFirstOrThrow({ where: { jobRunId: run.deploy } });
  return { env, run, approval };
}

describe("environment names", () => {
  it("evaluate their expressions, and an empty name means no environment", () => {
    expect(evaluateEnvironmentName("production", {})).toEqual({ ok: true, name: "production" });
    expect(evaluateEnvironmentName("${{ inputs.target }}-eu", { inputs: { target: "staging" } })).toEqual({ ok: true, name: "staging-eu" });
    expect(evaluateEnvironmentName("${{ inputs.missing }}", { inputs: {} })).toEqual({ ok: true, name: null });
    expect(evaluateEnvironmentName(undefined, {})).toEqual({ ok: true, name: null });
  });
});

describe("environment gates", () => {
  it("let a job through an environment with no rules, or one nobody configured", async () => {
    const run = await deployRun("never-configured");
    const result = await buildSucceeds(run);
    expect(result.ready).toEqual([run.deploy]);
    expect((await job(run.deploy)).status).toBe("WAITING");
  });

  it("refuse a ref the branch policy does not allow, with the reason on the job", async () => {
    const env = await environment([{ kind: "BRANCH_POLICY", config: { branches: ["main", "release/*"] } }]);
    const allowed = await deployRun(env.name, "refs/heads/release/2.0");
    expect((await buildSucceeds(allowed)).ready).toEqual([allowed.deploy]);
    const refused = await deployRun(env.name, "refs/heads/feature/x");
    const result = await buildSucceeds(refused);
    expect(result.failed).toEqual([refused.deploy]);
    const deploy = await job(refused.deploy);
    expect(deploy.status).toBe("FAILED");
    expect(deploy.failureReason).toContain(`refs/heads/feature/x may not deploy to environment ${env.name}`);
    expect((await sys().workflowRun.findUniqueOrThrow({ where: { id: refused.runId } })).status).toBe("FAILED");
  });

  it("hold a job for the wait timer, counted from when it first reached the gate", async () => {
    const env = await environment([{ kind: "WAIT_TIMER", config: { minutes: 10 } }]);
    const run = await deployRun(env.name);
    const result = await buildSucceeds(run);
    expect(result.ready).toEqual([]);
    expect(result.held).toHaveLength(1);
    const gated = await job(run.deploy);
    expect(gated.status).toBe("QUEUED");
    expect(gated.environmentName).toBe(env.name);
    expect(result.held[0]?.dueAt.getTime()).toBe((gated.gatedAt?.getTime() ?? 0) + 10 * 60_000);
    // Advancing again keeps the first gate time (the timer does not restart).
    const again = await advanceRun(db, ctx, run.runId);
    expect(again.held[0]?.dueAt).toEqual(result.held[0]?.dueAt);
    // Ten minutes later (moved in Postgres), the gate opens.
    await sys().$executeRaw`UPDATE "JobRun" SET "gatedAt" = now() - interval '11 minutes' WHERE id = ${run.deploy}`;
    expect((await advanceRun(db, ctx, run.runId)).ready).toEqual([run.deploy]);
  });

  it("hold a job until a reviewer approves; a second decision changes nothing", async () => {
    const env = await environment([{ kind: "REQUIRED_REVIEWERS", config: { reviewers: ["usr_lead"] } }]);
    const run = await deployRun(env.name);
    const result = await buildSucceeds(run);
    expect(result.held).toHaveLength(1);
    const approval = await sys().approval.findFirstOrThrow({ where: { jobRunId: run.deploy } });
    expect(approval.status).toBe("PENDING");
    // GitHub's default: the review waits up to 30 days.
    expect(approval.expiresAt.getTime() - ((await job(run.deploy)).gatedAt?.getTime() ?? 0)).toBe(30 * 24 * 60 * 60_000);
    expect((await transitions.decideApproval(sys(), ctx, approval.id, { status: "APPROVED", userId: "usr_lead" })).changed).toBe(true);
    expect((await transitions.decideApproval(sys(), ctx, approval.id, { status: "REJECTED", userId: "usr_other" })).changed).toBe(false);
    expect((await advanceRun(db, ctx, run.runId)).ready).toEqual([run.deploy]);
    const history = await sys().stateTransition.findMany({ where: { entity: "Approval", entityId: approval.id } });
    expect(history.map((row) => row.toStatus)).toEqual(["APPROVED"]);
  });

  it("hold a job needing two approvals until the second reviewer approves, counting each reviewer once", async () => {
    const { run, approval } = await awaitingTwoApprovals();
    const vote = (userId: string, decision: "APPROVED" | "REJECTED" = "APPROVED") => transitions.voteOnApproval(sys(), ctx, approval.id, { decision, userId, requiredApprovals: 2 });
    expect(await vote("usr_a")).toEqual({ outcome: "counted", status: "PENDING", approvals: 1 });
    expect(await vote("usr_a")).toEqual({ outcome: "duplicate" });
    const held = await advanceRun(db, ctx, run.runId);
    expect(held.ready).toEqual([]);
    expect(held.held).toHaveLength(1);
    expect(await vote("usr_b")).toEqual({ outcome: "counted", status: "APPROVED", approvals: 2 });
    expect(await vote("usr_c", "REJECTED")).toEqual({ outcome: "closed", status: "APPROVED" });
    expect((await advanceRun(db, ctx, run.runId)).ready).toEqual([run.deploy]);
    expect((await sys().approval.findUniqueOrThrow({ where: { id: approval.id } })).decidedById).toBe("usr_b");
    const history = await sys().stateTransition.findMany({ where: { entity: "Approval", entityId: approval.id } });
    expect(history.map((row) => row.toStatus)).toEqual(["APPROVED"]);
  });

  it("refuse a job needing two approvals when either reviewer rejects", async () => {
    const { env, run, approval } = await awaitingTwoApprovals();
    await transitions.voteOnApproval(sys(), ctx, approval.id, { decision: "APPROVED", userId: "usr_a", requiredApprovals: 2 });
    expect(await transitions.voteOnApproval(sys(), ctx, approval.id, { decision: "REJECTED", userId: "usr_b", comment: "tests are red", requiredApprovals: 2 })).toEqual({ outcome: "counted", status: "REJECTED", approvals: 1 });
    expect((await advanceRun(db, ctx, run.runId)).failed).toEqual([run.deploy]);
    expect((await job(run.deploy)).failureReason).toBe(`deployment to ${env.name} was rejected by usr_b: tests are red`);
  });

  it("approve once, with both votes kept, when two reviewers decide at the same moment", async () => {
    const { run, approval } = await awaitingTwoApprovals();
    const votes = await Promise.all(["usr_a", "usr_b"].map((userId) => transitions.voteOnApproval(sys(), ctx, approval.id, { decision: "APPROVED", userId, requiredApprovals: 2 })));
    expect(votes.map((vote) => (vote.outcome === "counted" ? vote.status : vote.outcome)).sort()).toEqual(["APPROVED", "PENDING"]);
    expect(await sys().approvalVote.count({ where: { approvalId: approval.id } })).toBe(2);
    const history = await sys().stateTransition.findMany({ where: { entity: "Approval", entityId: approval.id } });
    expect(history.map((row) => row.toStatus)).toEqual(["APPROVED"]);
    expect((await advanceRun(db, ctx, run.runId)).ready).toEqual([run.deploy]);
  });

  it("fail the job when a reviewer rejects, naming who and why", async () => {
    const env = await environment([{ kind: "REQUIRED_REVIEWERS", config: {} }]);
    const run = await deployRun(env.name);
    await buildSucceeds(run);
    const approval = await sys().approval.findFirstOrThrow({ where: { jobRunId: run.deploy } });
    await transitions.decideApproval(sys(), ctx, approval.id, { status: "REJECTED", userId: "usr_lead", comment: "not on a Friday" });
    expect((await advanceRun(db, ctx, run.runId)).failed).toEqual([run.deploy]);
    expect((await job(run.deploy)).failureReason).toBe(`deployment to ${env.name} was rejected by usr_lead: not on a Friday`);
  });

  it("ask the reviewers again when a rejected deployment is re-run; the earlier decision stays", async () => {
    const env = await environment([{ kind: "REQUIRED_REVIEWERS", config: { reviewers: ["usr_lead"] } }]);
    const run = await deployRun(env.name);
    await buildSucceeds(run);
    const first = await sys().approval.findFirstOrThrow({ where: { jobRunId: run.deploy } });
    await transitions.decideApproval(sys(), ctx, first.id, { status: "REJECTED", userId: "usr_lead", comment: "not yet" });
    await advanceRun(db, ctx, run.runId);
    expect((await sys().workflowRun.findUniqueOrThrow({ where: { id: run.runId } })).status).toBe("FAILED");

    expect(await rerun(db, ctx, run.runId, { mode: "failed", actor: "test" })).toMatchObject({ rerun: true, runAttempt: 2 });
    const result = await advanceRun(db, ctx, run.runId);
    expect(result.held).toHaveLength(1);
    expect((await job(run.deploy)).status).toBe("QUEUED");
    const approvals = await sys().approval.findMany({ where: { jobRunId: run.deploy }, orderBy: { runAttempt: "asc" } });
    expect(approvals.map((approval) => [approval.runAttempt, approval.status])).toEqual([
      [1, "REJECTED"],
      [2, "PENDING"],
    ]);
    await transitions.decideApproval(sys(), ctx, approvals[1]?.id ?? "", { status: "APPROVED", userId: "usr_lead" });
    expect((await advanceRun(db, ctx, run.runId)).ready).toEqual([run.deploy]);
  });

  it("expire an approval nobody decided in time; a late approval is refused", async () => {
    const env = await environment([{ kind: "REQUIRED_REVIEWERS", config: { expiresInMinutes: 60 } }]);
    const run = await deployRun(env.name);
    await buildSucceeds(run);
    const approval = await sys().approval.findFirstOrThrow({ where: { jobRunId: run.deploy } });
    await sys().$executeRaw`UPDATE "Approval" SET "expiresAt" = now() - interval '1 second' WHERE id = ${approval.id}`;
    expect((await transitions.decideApproval(sys(), ctx, approval.id, { status: "APPROVED", userId: "usr_late" })).changed).toBe(false);
    expect((await advanceRun(db, ctx, run.runId)).failed).toEqual([run.deploy]);
    expect((await sys().approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe("EXPIRED");
    expect((await job(run.deploy)).failureReason).toBe(`nobody approved the deployment to ${env.name} within 60 min`);
  });

  it("refuse a malformed rule with a clear reason instead of letting the job through", async () => {
    const env = await environment([{ kind: "WAIT_TIMER", config: { minutes: "ten" } }]);
    const run = await deployRun(env.name);
    expect((await buildSucceeds(run)).failed).toEqual([run.deploy]);
    expect((await job(run.deploy)).failureReason).toMatch(new RegExp(`environment ${env.name} has an invalid WAIT_TIMER rule: minutes: `));
  });
});

describe("environment gate timers", () => {
  it("are delayed BullMQ jobs rebuilt from Postgres when a worker starts, and open the gate when due", async () => {
    const env = await environment([{ kind: "WAIT_TIMER", config: { minutes: 5 } }]);
    const run = await deployRun(env.name);
    await buildSucceeds(run);
    const keys = testRedis("gates");
    const { prefix } = keys;
    const timers = new Queue("gantry-timers", { connection: { url: REDIS_URL }, prefix });
    const worker = await startWorker(parseWorkerEnv({ DATABASE_URL: testDb.url, REDIS_URL, GANTRY_QUEUE_PREFIX: prefix, GANTRY_WORKER_ID: prefix }), () => undefined);
    try {
      // The gate was reached before this worker (and its Redis keys) existed: starting rebuilt its timer.
      const gatedAt = (await job(run.deploy)).gatedAt?.getTime() ?? 0;
      const timer = await timers.getJob(`gate-${run.deploy}-${gatedAt + 5 * 60_000}`);
      expect(timer?.name).toBe("environment-gate");
      expect(timer?.opts.delay).toBeGreaterThan(4 * 60_000);
      // Time passes (in Postgres) and the timer fires: the job becomes ready without anyone advancing the run.
      await sys().$executeRaw`UPDATE "JobRun" SET "gatedAt" = now() - interval '6 minutes' WHERE id = ${run.deploy}`;
      await timer?.changeDelay(0);
      const deadline = Date.now() + 30_000;
      while ((await job(run.deploy)).status === "QUEUED") {
        if (Date.now() > deadline) throw new Error("the gate timer did not open the gate");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // It became ready (and, as no pool serves label `x` in this test, then failed as unservable).
      const history = await sys().stateTransition.findMany({ where: { entity: "JobRun", entityId: run.deploy }, orderBy: { id: "asc" } });
      expect(history[0]).toMatchObject({ fromStatus: "QUEUED", toStatus: "WAITING" });
    } finally {
      await worker.stop();
      await keys.close();
      await timers.obliterate({ force: true });
      await timers.close();
    }
  });
});
