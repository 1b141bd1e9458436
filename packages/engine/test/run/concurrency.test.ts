import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, openDatabase, transitions, type Database, type TenantContext } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { advanceRun } from "../../src/run/advance-run";
import { admitRun, evaluateConcurrency } from "../../src/run/concurrency";

let testDb: TestDatabase;
let db: Database;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
});

async function tenant(policy: "REPLACE_PENDING" | "QUEUE" = "REPLACE_PENDING"): Promise<TenantContext> {
  const id = `ten_${randomBytes(4).toString("hex")}`;
  await db.system("test").tenant.create({ data: { id, slug: id, name: id, concurrencyPolicy: policy } });
  await db.system("test").repository.create({ data: { id: `${id}-repo`, tenantId: id, fullName: `${id}/app` } });
  return { tenantId: id, actor: { kind: "SYSTEM" } };
}

async function runWithDeploy(ctx: TenantContext, ref = "refs/heads/main", cancelInProgress: boolean | string = false) {
  const created = await intake.createRun(db.system("test"), ctx, {
    repositoryId: `${ctx.tenantId}-repo`,
    idempotencyKey: randomBytes(8).toString("hex"),
    workflowPath: "deploy.yml",
    workflowName: "Deploy",
    event: "push",
    ref,
    sha: "d".repeat(40),
    trusted: true,
    plan: {
      jobs: [
        {
          key: "deploy",
          jobId: "deploy",
          name: "deploy",
          needs: [],
          runsOn: ["x"],
          timeoutMinutes: 5,
          continueOnError: false,
          retry: { maxAttempts: 1 },
          concurrency: { group: "deploy-${{ github.ref_name }}", cancelInProgress },
        },
      ],
    },
  });
  const ready: string[] = [];
  await advanceRun(db, ctx, created.runId, { onReady: async (ids) => void ready.push(...ids) });
  const job = await db.system("test").jobRun.findFirstOrThrow({ where: { runId: created.runId } });
  return { runId: created.runId, jobId: job.id, ready };
}

const job = (id: string) => db.system("test").jobRun.findUniqueOrThrow({ where: { id } });

async function complete(ctx: TenantContext, jobId: string, runId: string) {
  const sys = db.system("test");
  const current = await job(jobId);
  const a = await transitions.assignJob(sys, ctx, { jobId, expectedAttempt: current.attempt, leaseMs: 30_000 });
  if (!a) throw new Error("not assignable");
  await transitions.finishJob(sys, ctx, jobId, a.attempt, "SUCCEEDED");
  const released: string[] = [];
  await advanceRun(db, ctx, runId, { onReady: async (ids) => void released.push(...ids) });
  return released;
}

describe("job concurrency groups", () => {
  it("hold a second member until the first ends, then release it", async () => {
    const ctx = await tenant();
    const first = await runWithDeploy(ctx);
    const second = await runWithDeploy(ctx);
    expect(first.ready).toEqual([first.jobId]);
    expect(second.ready).toEqual([]);
    expect(await job(second.jobId)).toMatchObject({ status: "WAITING", heldByConcurrency: true, concurrencyGroup: "deploy-main" });
    expect(await complete(ctx, first.jobId, first.runId)).toEqual([second.jobId]);
    expect(await job(second.jobId)).toMatchObject({ status: "WAITING", heldByConcurrency: false });
  });

  it("with GitHub's policy a newer pending member replaces an older pending one", async () => {
    const ctx = await tenant("REPLACE_PENDING");
    const first = await runWithDeploy(ctx);
    const second = await runWithDeploy(ctx);
    const third = await runWithDeploy(ctx);
    expect((await job(second.jobId)).status).toBe("CANCELED");
    expect((await job(third.jobId)).heldByConcurrency).toBe(true);
    expect(await complete(ctx, first.jobId, first.runId)).toEqual([third.jobId]);
  });

  it("with the QUEUE policy every pending member waits its turn, oldest first", async () => {
    const ctx = await tenant("QUEUE");
    const first = await runWithDeploy(ctx);
    const second = await runWithDeploy(ctx);
    const third = await runWithDeploy(ctx);
    expect(await complete(ctx, first.jobId, first.runId)).toEqual([second.jobId]);
    expect((await job(third.jobId)).heldByConcurrency).toBe(true);
    expect(await complete(ctx, second.jobId, second.runId)).toEqual([third.jobId]);
  });

  it("cancel-in-progress cancels the member already there", async () => {
    const ctx = await tenant();
    const first = await runWithDeploy(ctx);
    const second = await runWithDeploy(ctx, "refs/heads/main", "${{ github.ref == 'refs/heads/main' }}");
    expect((await job(first.jobId)).status).toBe("CANCELED");
    expect(second.ready).toEqual([second.jobId]);
    expect((await db.system("test").workflowRun.findUniqueOrThrow({ where: { id: first.runId } })).status).toBe("CANCELED");
  });

  it("groups are per evaluated name: other branches do not wait", async () => {
    const ctx = await tenant();
    const main = await runWithDeploy(ctx, "refs/heads/main");
    const dev = await runWithDeploy(ctx, "refs/heads/dev");
    expect(main.ready).toHaveLength(1);
    expect(dev.ready).toHaveLength(1);
  });
});

describe("workflow concurrency groups", () => {
  it("a second run in the group waits in WAITING and is admitted when the first ends", async () => {
    const ctx = await tenant();
    const group = { group: "ci", cancelInProgress: false };
    const sys = db.system("test");
    const make = () =>
      intake.createRun(sys, ctx, {
        repositoryId: `${ctx.tenantId}-repo`,
        idempotencyKey: randomBytes(8).toString("hex"),
        workflowPath: "ci.yml",
        workflowName: "CI",
        event: "push",
        ref: "refs/heads/main",
        sha: "e".repeat(40),
        trusted: true,
        plan: { jobs: [{ key: "build", jobId: "build", name: "build", needs: [], runsOn: ["x"], timeoutMinutes: 5, continueOnError: false, retry: { maxAttempts: 1 } }] },
      });
    const first = await make();
    expect((await admitRun(sys, ctx, first.runId, group)).admitted).toBe(true);
    await advanceRun(db, ctx, first.runId);
    const second = await make();
    expect((await admitRun(sys, ctx, second.runId, group)).admitted).toBe(false);
    expect((await sys.workflowRun.findUniqueOrThrow({ where: { id: second.runId } })).status).toBe("WAITING");
    // A held run starts nothing.
    expect((await advanceRun(db, ctx, second.runId)).ready).toEqual([]);
    const released: string[] = [];
    const build = await sys.jobRun.findFirstOrThrow({ where: { runId: first.runId } });
    const a = await transitions.assignJob(sys, ctx, { jobId: build.id, expectedAttempt: 0, leaseMs: 30_000 });
    await transitions.finishJob(sys, ctx, build.id, a?.attempt ?? 0, "SUCCEEDED");
    await advanceRun(db, ctx, first.runId, { onReady: async (ids) => void released.push(...ids) });
    const secondBuild = await sys.jobRun.findFirstOrThrow({ where: { runId: second.runId } });
    expect(released).toEqual([secondBuild.id]);
    expect((await sys.workflowRun.findUniqueOrThrow({ where: { id: second.runId } })).status).toBe("RUNNING");
  });

  it("evaluates group names and flags as expressions", () => {
    const github = { ref: "refs/heads/main", workflow: "CI" };
    expect(evaluateConcurrency({ group: "${{ github.workflow }}-${{ github.ref }}", cancelInProgress: "${{ github.ref != 'refs/heads/main' }}" }, { github })).toEqual({
      group: "CI-refs/heads/main",
      cancelInProgress: false,
    });
    expect(evaluateConcurrency({ group: "${{ github.nothing }}", cancelInProgress: true }, { github })).toBeNull();
    expect(evaluateConcurrency(undefined, {})).toBeNull();
    // A plain name is the group's name, not an expression (it failed to evaluate, so the run had no group at all).
    expect(evaluateConcurrency({ group: "deploy-prod", cancelInProgress: false }, { github })).toEqual({ group: "deploy-prod", cancelInProgress: false });
  });
});
