import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobRunId, openDatabase, randomId, runId, transitions, type Database, type TenantContext } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { reapLapsedLeases } from "../src/lifecycle/reap-leases";

let testDb: TestDatabase;
let db: Database;
let ctx: TenantContext;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  const tenantId = randomId("ten");
  await db.system("test").tenant.create({ data: { id: tenantId, slug: "acme", name: "Acme" } });
  ctx = { tenantId, actor: { kind: "SYSTEM" } };
  await db.forTenant(ctx).repository.create({ data: { id: "repo", tenantId, fullName: "acme/app" } });
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
});

async function runningJob(maxAttempts: number, leaseMs = 30_000) {
  const scoped = db.forTenant(ctx);
  const key = randomId("k");
  const run = runId(ctx.tenantId, key);
  await scoped.workflowRun.create({
    data: { id: run, tenantId: ctx.tenantId, repositoryId: "repo", idempotencyKey: key, workflowPath: "ci.yml", workflowName: "CI", event: "push", ref: "refs/heads/main", sha: "a".repeat(40), runNumber: (await scoped.workflowRun.count()) + 1, plan: {} },
  });
  const jobId = jobRunId(run, "build");
  await scoped.jobRun.create({ data: { id: jobId, tenantId: ctx.tenantId, runId: run, key: "build", jobId: "build", name: "build", maxAttempts } });
  const assignment = await transitions.assignJob(db.system("test"), ctx, { jobId, expectedAttempt: 0, leaseMs });
  if (!assignment) throw new Error("assignment failed");
  return { jobId, attemptId: assignment.attemptId };
}

// The reaper's "now" moved past a 30 s lease (the engine passes its clock's): no sleeping, no editing of leases.
const pastTheLease = () => Date.now() + 31_000;

describe("the lease reaper", () => {
  it("marks a lapsed attempt LOST and puts its job back in line", async () => {
    const { jobId } = await runningJob(3);
    expect(await reapLapsedLeases(db, 100)).toMatchObject({ lost: 0 });
    const result = await reapLapsedLeases(db, 100, pastTheLease());
    expect(result).toMatchObject({ lost: 1, requeued: 1, failed: 0 });
    const job = await db.forTenant(ctx).jobRun.findUniqueOrThrow({ where: { id: jobId }, include: { attempts: true } });
    expect(job.status).toBe("WAITING");
    expect(job.attempts.map((a) => [a.status, a.failureKind])).toEqual([["LOST", "INFRASTRUCTURE"]]);
  });

  it("fails the job as a platform failure when no attempts remain", async () => {
    const { jobId } = await runningJob(1);
    expect(await reapLapsedLeases(db, 100, pastTheLease())).toMatchObject({ lost: 1, requeued: 0, failed: 1 });
    const job = await db.forTenant(ctx).jobRun.findUniqueOrThrow({ where: { id: jobId } });
    expect([job.status, job.failureKind]).toEqual(["FAILED", "INFRASTRUCTURE"]);
  });

  it("leaves live leases alone, and two reapers at once reap each attempt once", async () => {
    const live = await runningJob(3, 600_000);
    await runningJob(3);
    const now = pastTheLease();
    const [a, b] = await Promise.all([reapLapsedLeases(db, 100, now), reapLapsedLeases(db, 100, now)]);
    expect(a.lost + b.lost).toBe(1);
    expect((await db.forTenant(ctx).jobAttempt.findUniqueOrThrow({ where: { id: live.attemptId } })).status).toBe("ASSIGNED");
  });
});
