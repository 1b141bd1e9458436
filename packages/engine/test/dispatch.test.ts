// The control plane's loop with simulated runners: ready jobs go to the fair queues, runners claim them
// (attempt + lease in Postgres), report, and the DAG advances — including Redis losing every key mid-run.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, type Database, type TenantContext } from "@gantry/db";
import type { FairScheduler } from "@gantry/scheduler";
import { engineTestbed, type EngineTestbed } from "./testbed";
import { claimJob, completeAttempt } from "../src/index";
import { reconcileQueues } from "../src/lifecycle/reconcile-queues";
import { advanceRun } from "../src/run/advance-run";
import type { ReadyHandler } from "../src/lifecycle/ready-handler";

let bed: EngineTestbed;
let db: Database;
let scheduler: FairScheduler;
let ready: ReadyHandler;
const tenants: TenantContext[] = [];

beforeAll(async () => {
  bed = await engineTestbed({ poolSize: 8 });
  ({ db, scheduler, ready } = bed);
  // A pool shared by the operator with both tenants (fair queuing across them).
  await bed.addPool("pool-linux", { labels: ["ubuntu-latest", "linux-x64"] });
  for (const name of ["acme", "globex"]) {
    const tenant = await bed.addTenant(name, { repositoryId: `ten_${name}-repo` });
    await db.system("test").runnerPoolTenant.create({ data: { poolId: "pool-linux", tenantId: tenant.tenantId } });
    tenants.push(tenant);
  }
});
afterAll(() => bed.close());

type Spec = { key: string; needs?: string[]; runsOn?: string[]; fails?: boolean; if?: string };

async function startRun(ctx: TenantContext, jobs: Spec[]) {
  const created = await intake.createRun(db.system("test"), ctx, {
    repositoryId: `${ctx.tenantId}-repo`,
    idempotencyKey: randomBytes(8).toString("hex"),
    workflowPath: "ci.yml",
    workflowName: "CI",
    event: "push",
    ref: "refs/heads/main",
    sha: "9".repeat(40),
    trusted: true,
    plan: {
      jobs: jobs.map((job) => ({
        key: job.key,
        jobId: job.key,
        name: job.key,
        needs: job.needs ?? [],
        runsOn: job.runsOn ?? ["ubuntu-latest"],
        timeoutMinutes: 10,
        continueOnError: false,
        retry: { maxAttempts: 2 },
        ...(job.if ? { if: job.if } : {}),
      })),
    },
  });
  await advanceRun(db, ctx, created.runId, { onReady: (ids) => ready(ctx, ids) });
  return created.runId;
}

/** Runners claim until the queue is empty; each job succeeds unless its key is listed as failing. */
async function drain(failing: Set<string>, onClaim?: (count: number) => Promise<void>) {
  let claims = 0;
  for (;;) {
    const claimed = await claimJob(db, scheduler, { poolId: "pool-linux", runnerId: undefined, leaseMs: 30_000 });
    if (!claimed) return claims;
    claims++;
    const job = await db.system("test").jobRun.findUniqueOrThrow({ where: { id: claimed.jobId }, select: { key: true } });
    const conclusion = failing.has(job.key) ? "FAILED" : "SUCCEEDED";
    const { applied, runId } = await completeAttempt(db, scheduler, { tenantId: claimed.tenantId, attemptId: claimed.attemptId, conclusion });
    expect(applied).toBe(true);
    const ctx: TenantContext = { tenantId: claimed.tenantId, actor: { kind: "SYSTEM" } };
    if (runId) await advanceRun(db, ctx, runId, { onReady: (ids) => ready(ctx, ids) });
    await onClaim?.(claims);
  }
}

const runOf = (id: string) => db.system("test").workflowRun.findUniqueOrThrow({ where: { id }, include: { jobs: { include: { attempts: true } } } });

describe("dispatch with simulated runners", () => {
  it("runs every job of every run exactly once, in DAG order, to the right conclusions", async () => {
    const [acme, globex] = tenants as [TenantContext, TenantContext];
    const ok = await startRun(acme, [{ key: "build" }, { key: "test", needs: ["build"] }, { key: "deploy", needs: ["test"] }]);
    const bad = await startRun(globex, [{ key: "build" }, { key: "lint" }, { key: "report", needs: ["build"], if: "always()" }, { key: "ship", needs: ["build"] }]);
    const claims = await drain(new Set(["lint"]));
    expect(claims).toBe(7);
    const [good, failed] = [await runOf(ok), await runOf(bad)];
    expect(good.status).toBe("SUCCEEDED");
    expect(failed.status).toBe("FAILED");
    expect(Object.fromEntries(failed.jobs.map((j) => [j.key, j.status]))).toEqual({ build: "SUCCEEDED", lint: "FAILED", report: "SUCCEEDED", ship: "SUCCEEDED" });
    for (const job of [...good.jobs, ...failed.jobs]) expect(job.attempts).toHaveLength(1);
    expect(await scheduler.depth("pool-linux")).toBe(0);
  });

  it("a job that no pool serves fails at once with its labels named", async () => {
    const ctx = tenants[0] as TenantContext;
    const runId = await startRun(ctx, [{ key: "train", runsOn: ["gpu"] }, { key: "after", needs: ["train"] }]);
    const run = await runOf(runId);
    expect(run.status).toBe("FAILED");
    expect(run.jobs.find((j) => j.key === "train")?.failureReason).toBe("no runner pool serves runs-on [gpu]");
    expect(run.jobs.find((j) => j.key === "after")?.status).toBe("SKIPPED");
  });

  it("survives Redis losing every key mid-run: queues are rebuilt from Postgres and nothing runs twice", async () => {
    const [acme, globex] = tenants as [TenantContext, TenantContext];
    const runs = [];
    for (let i = 0; i < 4; i++) runs.push(await startRun(i % 2 ? acme : globex, [{ key: "a" }, { key: "b" }, { key: "c", needs: ["a", "b"] }]));
    const claims = await drain(new Set(), async (count) => {
      if (count !== 3) return;
      const keys = await bed.redis.keys(`${bed.prefix}:*`);
      await bed.redis.del(...keys);
      expect(await scheduler.depth("pool-linux")).toBe(0);
      const restored = await reconcileQueues(db, scheduler, ready);
      expect(restored.ready).toBeGreaterThan(0);
    });
    expect(claims).toBe(12);
    for (const id of runs) {
      const run = await runOf(id);
      expect(run.status).toBe("SUCCEEDED");
      for (const job of run.jobs) expect(job.attempts).toHaveLength(1);
    }
  });

  it("honours the tenant's plan: its concurrency cap holds a second job until the first ends", async () => {
    const sys = db.system("test");
    await sys.tenant.create({ data: { id: "ten_capped", slug: "capped", name: "capped", maxConcurrentJobs: 1 } });
    await sys.repository.create({ data: { id: "ten_capped-repo", tenantId: "ten_capped", fullName: "capped/app" } });
    await sys.runnerPoolTenant.create({ data: { poolId: "pool-linux", tenantId: "ten_capped" } });
    const ctx: TenantContext = { tenantId: "ten_capped", actor: { kind: "SYSTEM" } };
    await startRun(ctx, [{ key: "one" }, { key: "two" }]);
    const first = await claimJob(db, scheduler, { poolId: "pool-linux", leaseMs: 30_000 });
    expect(first?.tenantId).toBe("ten_capped");
    expect(await claimJob(db, scheduler, { poolId: "pool-linux", leaseMs: 30_000 })).toBeNull();
    await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: first?.attemptId ?? "", conclusion: "SUCCEEDED" });
    expect((await claimJob(db, scheduler, { poolId: "pool-linux", leaseMs: 30_000 }))?.tenantId).toBe("ten_capped");
  });

  it("a duplicate or late completion report changes nothing", async () => {
    const ctx = tenants[1] as TenantContext;
    await startRun(ctx, [{ key: "solo" }]);
    const claimed = await claimJob(db, scheduler, { poolId: "pool-linux", leaseMs: 30_000 });
    if (!claimed) throw new Error("nothing to claim");
    expect((await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: claimed.attemptId, conclusion: "SUCCEEDED" })).applied).toBe(true);
    expect((await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: claimed.attemptId, conclusion: "FAILED" })).applied).toBe(false);
    const job = await db.system("test").jobRun.findUniqueOrThrow({ where: { id: claimed.jobId } });
    expect(job.status).toBe("SUCCEEDED");
  });
});
