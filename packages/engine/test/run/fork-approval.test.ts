// A fork's pull request run held for approval, through the engine against real Postgres, Redis and BullMQ: nothing
// starts it while it waits (a start asked anyway, the queue reconciliation), approving starts its jobs once, a
// second approval and a decline after it change nothing, a decline cancels it and its checks are asked for, re-runs
// are refused, and the reconciliation cancels one nobody decided on within 30 days (on the engine's clock).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, type TenantContext } from "@gantry/db";
import { Queues } from "@gantry/jobs";
import { manualClock } from "@gantry/testing";
import { createEngine, ForkApprovalRefused, HELD_RUN_EXPIRY_DAYS, RerunRefused, type Engine } from "../../src/index";
import { engineTestbed, type EngineTestbed } from "../testbed";

const POOL = "pool-forks";
let bed: EngineTestbed;
let queues: Queues;
let engine: Engine;
const clock = manualClock();
const ctx: TenantContext = { tenantId: "ten_forks", actor: { kind: "SYSTEM" } };
const maintainer = { userId: "usr_maintainer", label: "maintainer@example.com" };
const WHY = "pull request #9 comes from the fork mallory/app and @mallory is a first-time contributor (GitHub: FIRST_TIME_CONTRIBUTOR)";

beforeAll(async () => {
  bed = await engineTestbed();
  queues = new Queues(bed.redis, bed.prefix);
  // A repository on GitHub (an installation), so that the engine asks for check reports of its jobs.
  await bed.addTenant("forks", { id: ctx.tenantId, repositoryId: "repo-forks" });
  await bed.db.system("test").installation.create({ data: { id: "inst-forks", tenantId: ctx.tenantId, githubInstallationId: 4242n, accountLogin: "octo", accountType: "Organization" } });
  await bed.db.system("test").repository.update({ where: { id: "repo-forks" }, data: { installationId: "inst-forks" } });
  await bed.addPool(POOL, { tenantId: ctx.tenantId });
  engine = createEngine({ db: bed.db, scheduler: bed.scheduler, queues, clock, log: () => undefined });
});
afterAll(async () => {
  await queues.close();
  await bed.close();
});

const job = (key: string, needs: string[] = []) => ({ key, jobId: key, name: key, needs, runsOn: ["ubuntu-latest"], timeoutMinutes: 10, continueOnError: false, retry: { maxAttempts: 2 } });

async function heldRun(approvalRequired: string | null = WHY): Promise<string> {
  const created = await intake.createRun(bed.db.system("test: intake"), ctx, {
    repositoryId: "repo-forks",
    idempotencyKey: randomBytes(8).toString("hex"),
    workflowPath: ".gantry/workflows/ci.yml",
    workflowName: "CI",
    event: "pull_request",
    ref: "refs/pull/9/merge",
    sha: randomBytes(20).toString("hex"),
    trusted: false,
    plan: { jobs: [job("build"), job("test", ["build"])] },
    ...(approvalRequired ? { approvalRequired } : {}),
  });
  return created.runId;
}

const runOf = (id: string) => bed.db.system("test").workflowRun.findUniqueOrThrow({ where: { id }, include: { jobs: { orderBy: { key: "asc" } } } });
const statuses = async (id: string) => {
  const run = await runOf(id);
  return [run.status, ...run.jobs.map((candidate) => `${candidate.key}:${candidate.status}`)];
};
const checkJobsOf = async (runId: string) => {
  const run = await runOf(runId);
  const jobs = await queues.queue("gantry-github-checks").getJobs(["waiting", "delayed", "prioritized", "completed", "failed", "active"]);
  const ids = new Set(run.jobs.map((candidate) => candidate.id));
  return jobs.filter((candidate) => ids.has(String(candidate.data.jobRunId))).map((candidate) => candidate.id ?? "").sort();
};

describe("a run held for approval", () => {
  it("starts nothing while it waits: a start asked anyway and the queue reconciliation leave it WAITING", async () => {
    const runId = await heldRun();
    expect((await engine.startRun(ctx, runId)).ready).toEqual([]);
    await engine.reconcile();
    expect(await statuses(runId)).toEqual(["WAITING", "build:QUEUED", "test:QUEUED"]);
  });

  it("is approved once: its root job becomes ready, its checks are asked to go back to queued, a second approval changes nothing", async () => {
    const runId = await heldRun();
    const [first, second] = await Promise.all([engine.approve(ctx, runId, maintainer), engine.approve(ctx, runId, maintainer)]);
    expect([first?.changed, second?.changed].sort()).toEqual([false, true]);
    expect(await statuses(runId)).toEqual(["QUEUED", "build:WAITING", "test:QUEUED"]);
    const run = await runOf(runId);
    expect(run).toMatchObject({ approvedById: maintainer.userId, approvalRequired: WHY });
    const build = run.jobs.find((candidate) => candidate.key === "build");
    expect(await checkJobsOf(runId)).toEqual(run.jobs.map((candidate) => `check-${candidate.id}-QUEUED-0`).sort());
    expect(build?.poolId).toBe(POOL);
    // A decline after the approval is refused: it is an ordinary run now.
    await expect(engine.reject(ctx, runId, maintainer)).rejects.toMatchObject({ code: "DECIDED" });
    expect((await engine.approve(ctx, runId, maintainer)).changed).toBe(false);
  });

  it("is declined once: cancelled with who declined it, its jobs too; approving it then is refused", async () => {
    const runId = await heldRun();
    expect(await engine.reject(ctx, runId, maintainer)).toEqual({ runId, changed: true });
    expect(await engine.reject(ctx, runId, maintainer)).toEqual({ runId, changed: false });
    expect(await statuses(runId)).toEqual(["CANCELED", "build:CANCELED", "test:CANCELED"]);
    const history = await bed.db.system("test").stateTransition.findMany({ where: { entityId: runId }, orderBy: { id: "asc" } });
    expect(history.map((row) => [row.fromStatus, row.toStatus, row.reason])).toEqual([
      ["QUEUED", "WAITING", `awaiting approval: ${WHY}`],
      ["WAITING", "CANCELED", "not approved: cancelled by maintainer@example.com"],
    ]);
    // GitHub hears of it: each job's check is asked to end cancelled.
    const run = await runOf(runId);
    expect(await checkJobsOf(runId)).toEqual(run.jobs.map((candidate) => `check-${candidate.id}-CANCELED-0`).sort());
    await expect(engine.approve(ctx, runId, maintainer)).rejects.toBeInstanceOf(ForkApprovalRefused);
    await expect(engine.approve(ctx, runId, maintainer)).rejects.toMatchObject({ code: "DECIDED", message: expect.stringContaining("canceled without being approved") });
  });

  it("cannot be re-run while it waits, nor after it was cancelled unapproved", async () => {
    const waiting = await heldRun();
    await expect(engine.rerun(ctx, waiting, { mode: "all", actor: "someone" })).rejects.toMatchObject({ code: "ACTIVE", message: expect.stringContaining("awaiting approval") });
    await engine.reject(ctx, waiting, maintainer);
    await expect(engine.rerun(ctx, waiting, { mode: "all", actor: "someone" })).rejects.toBeInstanceOf(RerunRefused);
    await expect(engine.rerun(ctx, waiting, { mode: "all", actor: "someone" })).rejects.toMatchObject({ code: "NOT_APPROVED" });
    expect((await runOf(waiting)).runAttempt).toBe(1);
  });

  it("refuses a decision on a run that was never held, or does not exist", async () => {
    const plain = await heldRun(null);
    await expect(engine.approve(ctx, plain, maintainer)).rejects.toMatchObject({ code: "NOT_HELD" });
    await expect(engine.reject(ctx, plain, maintainer)).rejects.toMatchObject({ code: "NOT_HELD" });
    await expect(engine.approve(ctx, "run_nope", maintainer)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it(`is cancelled by the queue reconciliation once nobody decided for ${HELD_RUN_EXPIRY_DAYS} days; an approved one is not`, async () => {
    const old = await heldRun();
    const approved = await heldRun();
    await engine.approve(ctx, approved, maintainer);
    clock.advance((HELD_RUN_EXPIRY_DAYS - 1) * 24 * 60 * 60 * 1000);
    expect((await engine.reconcile()).expired).toBe(0);
    expect((await runOf(old)).status).toBe("WAITING");
    clock.advance(2 * 24 * 60 * 60 * 1000);
    expect((await engine.reconcile()).expired).toBeGreaterThanOrEqual(1);
    expect((await runOf(old)).status).toBe("CANCELED");
    expect((await runOf(approved)).status).not.toBe("CANCELED");
    const last = await bed.db.system("test").stateTransition.findFirst({ where: { entityId: old, entity: "WorkflowRun" }, orderBy: { id: "desc" } });
    expect(last?.reason).toBe(`not approved within ${HELD_RUN_EXPIRY_DAYS} days`);
  });
});
