// A fork's run held for approval: created WAITING with its reason in the run's own transaction, approved once
// (WAITING → QUEUED), never approved from any other state, and cancelled like any run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, isAwaitingApproval, openDatabase, RUN_STATUSES, transitions, wasNeverApproved, type Database, type RawPrismaClient, type TenantContext } from "../src/index";
import { createTestDatabase, type TestDatabase } from "../src/testing/index";
import { seedJob, seedTenant } from "./fixtures";

let testDb: TestDatabase;
let db: Database;
let sys: RawPrismaClient;
let ctx: TenantContext;
const approver = { userId: "usr_maintainer", label: "maintainer@example.com" };

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url, { poolSize: 12 });
  sys = db.system("fork approval test");
  ctx = await seedTenant(db, "acme");
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
});

let serial = 0;
function heldRun(approvalRequired = "@mallory is a first-time contributor"): intake.NewRun {
  serial += 1;
  const sha = serial.toString(16).padStart(40, "f");
  return {
    repositoryId: `${ctx.tenantId}-repo`,
    idempotencyKey: `pull_request:${ctx.tenantId}-repo:refs/pull/${serial}/head:${sha}:.gantry/workflows/ci.yml`,
    workflowPath: ".gantry/workflows/ci.yml",
    workflowName: "CI",
    event: "pull_request",
    ref: `refs/pull/${serial}/merge`,
    sha,
    trusted: false,
    plan: { jobs: [{ key: "build", jobId: "build", name: "build", needs: [], runsOn: ["ubuntu-latest"], timeoutMinutes: 30, continueOnError: false, retry: { maxAttempts: 3 } }] },
    approvalRequired,
  };
}

const runOf = (id: string) => sys.workflowRun.findUniqueOrThrow({ where: { id }, include: { jobs: true } });
const historyOf = (id: string) => sys.stateTransition.findMany({ where: { entityId: id }, orderBy: { id: "asc" } });

describe("a run held for approval", () => {
  it("is created WAITING with its reason and one history row, its jobs QUEUED and none of them ready", async () => {
    const created = await intake.createRun(sys, ctx, heldRun());
    expect(created).toMatchObject({ created: true, rootJobIds: [] });
    const run = await runOf(created.runId);
    expect(run).toMatchObject({ status: "WAITING", approvalRequired: "@mallory is a first-time contributor", approvedAt: null, approvedById: null, startedAt: null });
    expect(run.jobs.map((job) => job.status)).toEqual(["QUEUED"]);
    expect(isAwaitingApproval(run)).toBe(true);
    expect((await historyOf(run.id)).map((row) => [row.fromStatus, row.toStatus, row.reason])).toEqual([["QUEUED", "WAITING", "awaiting approval: @mallory is a first-time contributor"]]);
    // The same event again holds nothing twice.
    expect((await intake.createRun(sys, ctx, { ...heldRun(), idempotencyKey: run.idempotencyKey })).created).toBe(false);
    expect(await historyOf(run.id)).toHaveLength(1);
  });

  it("is approved once: WAITING → QUEUED with who and when; a second approval changes nothing", async () => {
    const { runId } = await intake.createRun(sys, ctx, heldRun());
    const results = await Promise.all(Array.from({ length: 4 }, () => transitions.approveHeldRun(sys, ctx, runId, approver)));
    expect(results.filter((result) => result.changed)).toHaveLength(1);
    const run = await runOf(runId);
    expect(run).toMatchObject({ status: "QUEUED", approvedById: approver.userId });
    expect(run.approvedAt).toBeInstanceOf(Date);
    expect(isAwaitingApproval(run)).toBe(false);
    expect(wasNeverApproved(run)).toBe(false);
    expect((await historyOf(runId)).map((row) => [row.fromStatus, row.toStatus, row.reason])).toEqual([
      ["QUEUED", "WAITING", "awaiting approval: @mallory is a first-time contributor"],
      ["WAITING", "QUEUED", "approved by maintainer@example.com"],
    ]);
    // Waiting again later (its concurrency group) does not make it approvable again.
    expect((await transitions.markRunWaiting(sys, ctx, runId, "waiting for concurrency group g")).changed).toBe(true);
    expect((await transitions.approveHeldRun(sys, ctx, runId, approver)).changed).toBe(false);
  });

  it("is never approved from any other status, nor when it was never held", async () => {
    for (const status of RUN_STATUSES.filter((candidate) => candidate !== "WAITING")) {
      const { runId } = await intake.createRun(sys, ctx, heldRun());
      await sys.workflowRun.update({ where: { id: runId }, data: { status } });
      expect((await transitions.approveHeldRun(sys, ctx, runId, approver)).changed, status).toBe(false);
      expect((await runOf(runId)).status).toBe(status);
    }
    // A run waiting for its concurrency group was never held for approval.
    const { runId } = await seedJob(db, ctx, "concurrency");
    expect((await transitions.markRunWaiting(sys, ctx, runId, "waiting for concurrency group g")).changed).toBe(true);
    expect((await transitions.approveHeldRun(sys, ctx, runId, approver)).changed).toBe(false);
    // Another tenant's approval does not reach it.
    const other = await seedTenant(db, "other");
    const held = await intake.createRun(sys, ctx, heldRun());
    expect((await transitions.approveHeldRun(sys, other, held.runId, approver)).changed).toBe(false);
  });

  it("is cancelled like any run, and then can never be approved", async () => {
    const { runId } = await intake.createRun(sys, ctx, heldRun());
    expect(await transitions.cancelRunAndJobs(sys, ctx, runId, "not approved: cancelled by maintainer@example.com")).toMatchObject({ runCanceled: true, canceledJobs: [expect.any(String)] });
    expect((await transitions.approveHeldRun(sys, ctx, runId, approver)).changed).toBe(false);
    const run = await runOf(runId);
    expect([run.status, run.jobs.map((job) => job.status)]).toEqual(["CANCELED", ["CANCELED"]]);
    expect(wasNeverApproved(run)).toBe(true);
  });
});
