// runs.approveFork and runs.rejectFork through the real procedure chain, on fork pull request runs held by the
// tenant's APPROVE_FIRST_TIME policy: a developer (or viewer) is refused and sees who may decide; a maintainer's
// approval puts the run back in line once, asks the worker to start it and is audited once; a decline cancels it
// once, audited once; decisions on runs that were never held, or were decided otherwise, are conflicts.
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { forkRun, FORK_RUN_REASON } from "./fork-runs";
import { addMember, DEMO, rejection, setupWebTest, TEST_REDIS_URL, type WebTestContext } from "./support";

let t: WebTestContext;
let maintainer: SessionUser;
let developer: SessionUser;
let viewer: SessionUser;
const WHY = FORK_RUN_REASON;
const callerFor = (session: SessionUser) => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues }));
const sys = () => t.database.system("test");
const tenant = DEMO.tenantSlug;

beforeAll(async () => {
  t = await setupWebTest();
  maintainer = await addMember(t.database, "MAINTAINER");
  developer = await addMember(t.database, "DEVELOPER");
  viewer = await addMember(t.database, "VIEWER");
});
afterAll(async () => {
  await t?.close();
});

const heldRun = (approvalRequired: string | null = WHY) => forkRun(t.database, approvalRequired);

const auditOf = (runId: string) => sys().auditEvent.findMany({ where: { targetId: runId }, orderBy: { id: "asc" } });
const statusOf = async (runId: string) => (await sys().workflowRun.findUniqueOrThrow({ where: { id: runId } })).status;

describe("a fork's run held for approval", () => {
  it("shows as awaiting approval, with who may decide; a developer and a viewer are refused and change nothing", async () => {
    const runId = await heldRun();
    const seen = await callerFor(developer).runs.get({ tenant, runId });
    expect([seen.status, seen.approval]).toEqual(["WAITING", { required: WHY, awaiting: true, approvedBy: null, approvedAt: null, canDecide: false }]);
    expect((await callerFor(maintainer).runs.get({ tenant, runId })).approval?.canDecide).toBe(true);
    expect((await callerFor(viewer).runs.list({ tenant })).runs.find((run) => run.id === runId)?.awaitingApproval).toBe(true);
    for (const who of [developer, viewer]) {
      for (const decide of [callerFor(who).runs.approveFork, callerFor(who).runs.rejectFork]) {
        const refused = await rejection(decide({ tenant, runId }));
        expect([refused.code, refused.message]).toEqual(["FORBIDDEN", expect.stringContaining("needs the maintainer role")]);
      }
    }
    expect(await statusOf(runId)).toBe("WAITING");
    expect(await auditOf(runId)).toEqual([]);
  });

  it("is approved by a maintainer once: back in line, the worker asked to start it, one audit entry; a second approval changes nothing", async () => {
    const runId = await heldRun();
    expect(await callerFor(maintainer).runs.approveFork({ tenant, runId })).toEqual({ runId, approved: true });
    expect(await callerFor(maintainer).runs.approveFork({ tenant, runId })).toEqual({ runId, approved: false });
    expect(await statusOf(runId)).toBe("QUEUED");
    const audit = await auditOf(runId);
    expect(audit.map((event) => [event.action, event.actorKind, event.actorId, event.targetType, event.data])).toEqual([
      ["run.approve", "USER", maintainer.userId, "WorkflowRun", { runNumber: expect.any(Number), event: "pull_request", ref: "refs/pull/12/merge", heldBecause: WHY }],
    ]);
    const queue = new Queue("gantry-orchestration", { connection: { url: TEST_REDIS_URL }, prefix: t.env.GANTRY_QUEUE_PREFIX ?? "" });
    try {
      expect((await queue.getJob(`start-${runId}-approved`))?.data).toEqual({ tenantId: DEMO.tenantId, runId, start: true });
    } finally {
      await queue.close();
    }
    const run = await callerFor(developer).runs.get({ tenant, runId });
    expect(run.approval).toEqual({ required: WHY, awaiting: false, approvedBy: maintainer.name, approvedAt: expect.any(String), canDecide: false });
    // Approved, it is an ordinary run: declining it now is a conflict (cancel it as any run).
    expect((await rejection(callerFor(maintainer).runs.rejectFork({ tenant, runId }))).code).toBe("CONFLICT");
    expect(await auditOf(runId)).toHaveLength(1);
  });

  it("is declined by a maintainer once: cancelled with the reason, one audit entry; then neither approved nor re-run", async () => {
    const runId = await heldRun();
    expect(await callerFor(maintainer).runs.rejectFork({ tenant, runId })).toEqual({ runId, rejected: true });
    expect(await callerFor(maintainer).runs.rejectFork({ tenant, runId })).toEqual({ runId, rejected: false });
    const run = await sys().workflowRun.findUniqueOrThrow({ where: { id: runId }, include: { jobs: true } });
    expect([run.status, ...run.jobs.map((job) => job.status)]).toEqual(["CANCELED", "CANCELED", "CANCELED"]);
    const last = await sys().stateTransition.findFirst({ where: { entityId: runId }, orderBy: { id: "desc" } });
    expect(last?.reason).toBe(`not approved: cancelled by ${maintainer.email}`);
    expect((await auditOf(runId)).map((event) => [event.action, event.actorId])).toEqual([["run.reject", maintainer.userId]]);
    const late = await rejection(callerFor(maintainer).runs.approveFork({ tenant, runId }));
    expect([late.code, late.message]).toEqual(["CONFLICT", expect.stringContaining("canceled without being approved")]);
    const rerun = await rejection(callerFor(maintainer).runs.rerun({ tenant, runId, mode: "all" }));
    expect([rerun.code, rerun.message]).toEqual(["CONFLICT", expect.stringContaining("was never approved")]);
    expect((await callerFor(viewer).runs.get({ tenant, runId })).approval).toMatchObject({ awaiting: false, approvedBy: null });
  });

  it("refuses decisions on a run that was never held, and on one that does not exist", async () => {
    const runId = await heldRun(null);
    const refused = await rejection(callerFor(maintainer).runs.approveFork({ tenant, runId }));
    expect([refused.code, refused.message]).toEqual(["CONFLICT", expect.stringContaining("does not wait for approval")]);
    expect((await rejection(callerFor(maintainer).runs.rejectFork({ tenant, runId }))).code).toBe("CONFLICT");
    expect((await rejection(callerFor(maintainer).runs.approveFork({ tenant, runId: "run_nope" }))).code).toBe("NOT_FOUND");
    expect((await callerFor(maintainer).runs.get({ tenant, runId })).approval).toBeNull();
  });
});
