import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, transitions, type Database, type TenantContext } from "@gantry/db";
import { engineTestbed, type EngineTestbed } from "../testbed";
import { advanceRun } from "../../src/run/advance-run";
import { runJobAsRunner } from "../../src/testing";

let bed: EngineTestbed;
let db: Database;
const ctx: TenantContext = { tenantId: "ten_dag", actor: { kind: "SYSTEM" } };
let counter = 0;

beforeAll(async () => {
  bed = await engineTestbed();
  db = bed.db;
  await bed.addTenant("dag", { id: ctx.tenantId, fullName: "dag/app" });
});
afterAll(() => bed.close());

interface J {
  key: string;
  needs?: string[];
  if?: string;
  continueOnError?: boolean;
}

async function plan(jobs: J[]) {
  const sha = String(++counter).padStart(40, "0");
  const planned = jobs.map((job) => ({
    key: job.key,
    jobId: job.key.split(" ")[0] ?? job.key,
    name: job.key,
    needs: job.needs ?? [],
    runsOn: ["ubuntu-latest"],
    timeoutMinutes: 10,
    continueOnError: job.continueOnError ?? false,
    retry: { maxAttempts: 1 },
    ...(job.if ? { if: job.if } : {}),
  }));
  const created = await intake.createRun(db.system("test"), ctx, {
    repositoryId: "repo",
    idempotencyKey: `k${sha}`,
    workflowPath: "ci.yml",
    workflowName: "CI",
    event: "push",
    ref: "refs/heads/main",
    sha,
    trusted: true,
    plan: { jobs: planned },
  });
  return created.runId;
}

async function statuses(runId: string) {
  const jobs = await db.forTenant(ctx).jobRun.findMany({ where: { runId }, orderBy: { key: "asc" } });
  return Object.fromEntries(jobs.map((job) => [job.key, job.status]));
}
const runStatus = async (runId: string) => (await db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: runId } })).status;

/** Runs one WAITING job to the given conclusion, as a runner would, then advances the run. */
async function finish(runId: string, key: string, conclusion: "SUCCEEDED" | "FAILED", outputs?: Record<string, string>) {
  await runJobAsRunner(db, ctx, runId, key, conclusion, outputs);
  return advanceRun(db, ctx, runId);
}

describe("DAG advancement", () => {
  it("starts each job when its own needs are done, and concludes the run", async () => {
    const run = await plan([{ key: "build" }, { key: "lint" }, { key: "test", needs: ["build"] }, { key: "deploy", needs: ["test", "lint"] }]);
    expect((await advanceRun(db, ctx, run)).ready).toHaveLength(2);
    expect(await statuses(run)).toEqual({ build: "WAITING", lint: "WAITING", test: "QUEUED", deploy: "QUEUED" });
    await finish(run, "build", "SUCCEEDED");
    // test starts without waiting for lint: no lockstep layers.
    expect(await statuses(run)).toMatchObject({ test: "WAITING", lint: "WAITING", deploy: "QUEUED" });
    await finish(run, "test", "SUCCEEDED");
    expect((await statuses(run)).deploy).toBe("QUEUED");
    await finish(run, "lint", "SUCCEEDED");
    const last = await finish(run, "deploy", "SUCCEEDED");
    expect(last.finished).toBe("SUCCEEDED");
    expect(await runStatus(run)).toBe("SUCCEEDED");
  });

  it("a failure skips dependents (transitively) but not always() and failure() jobs; the run fails", async () => {
    const run = await plan([
      { key: "build" },
      { key: "test", needs: ["build"] },
      { key: "deploy", needs: ["test"] },
      { key: "notify", needs: ["deploy"], if: "${{ failure() }}" },
      { key: "cleanup", needs: ["build"], if: "always()" },
    ]);
    await advanceRun(db, ctx, run);
    await finish(run, "build", "FAILED");
    expect(await statuses(run)).toEqual({ build: "FAILED", test: "SKIPPED", deploy: "SKIPPED", notify: "WAITING", cleanup: "WAITING" });
    await finish(run, "notify", "SUCCEEDED");
    const last = await finish(run, "cleanup", "SUCCEEDED");
    expect(last.finished).toBe("FAILED");
  });

  it("continue-on-error lets dependents run and the run succeed", async () => {
    const run = await plan([{ key: "flaky", continueOnError: true }, { key: "after", needs: ["flaky"] }]);
    await advanceRun(db, ctx, run);
    await finish(run, "flaky", "FAILED");
    expect((await statuses(run)).after).toBe("WAITING");
    expect((await finish(run, "after", "SUCCEEDED")).finished).toBe("SUCCEEDED");
  });

  it("needs on a matrix job waits for every cell and sees outputs and the folded result", async () => {
    const run = await plan([
      { key: "test (20)" },
      { key: "test (22)" },
      { key: "release", needs: ["test (20)", "test (22)"], if: "needs.test.result == 'success' && needs.test.outputs.ok == 'yes'" },
    ]);
    await advanceRun(db, ctx, run);
    await finish(run, "test (20)", "SUCCEEDED");
    expect((await statuses(run)).release).toBe("QUEUED");
    await finish(run, "test (22)", "SUCCEEDED", { ok: "yes" });
    expect((await statuses(run)).release).toBe("WAITING");
  });

  it("a false if skips the job and its dependents; a run of only skipped jobs succeeds", async () => {
    const run = await plan([{ key: "deploy", if: "github.ref == 'refs/heads/production'" }, { key: "smoke", needs: ["deploy"] }]);
    const result = await advanceRun(db, ctx, run);
    expect(result.skipped).toHaveLength(2);
    expect(result.finished).toBe("SUCCEEDED");
  });

  it("an if that cannot be evaluated fails that job with the reason", async () => {
    const run = await plan([{ key: "odd", if: "github.ref ==" }]);
    const result = await advanceRun(db, ctx, run);
    expect(result.failed).toHaveLength(1);
    const job = await db.forTenant(ctx).jobRun.findFirstOrThrow({ where: { runId: run } });
    expect(job.failureReason).toMatch(/^could not evaluate if:/);
    expect(result.finished).toBe("FAILED");
  });

  it("two advancers racing start each ready job once", async () => {
    const run = await plan([{ key: "a" }, { key: "b" }, { key: "c" }]);
    const [x, y] = await Promise.all([advanceRun(db, ctx, run), advanceRun(db, ctx, run)]);
    expect([...x.ready, ...y.ready].sort()).toHaveLength(3);
  });
});

describe("cancellation", () => {
  it("cancelling a run cancels every live job and the run, once", async () => {
    const { cancelRun } = await import("../../src/run/cancel");
    const run = await plan([{ key: "a" }, { key: "b", needs: ["a"] }, { key: "done" }]);
    await advanceRun(db, ctx, run);
    await finish(run, "done", "SUCCEEDED");
    const sys = db.system("test");
    const a = await sys.jobRun.findFirstOrThrow({ where: { runId: run, key: "a" } });
    await transitions.assignJob(sys, ctx, { jobId: a.id, expectedAttempt: 0, leaseMs: 30_000 });
    const first = await cancelRun(db, ctx, run, "cancelled by a person");
    expect(first.canceledJobs).toHaveLength(2);
    expect(first.runCanceled).toBe(true);
    expect(await statuses(run)).toEqual({ a: "CANCELED", b: "CANCELED", done: "SUCCEEDED" });
    expect(await cancelRun(db, ctx, run, "again")).toEqual({ canceledJobs: [], runCanceled: false });
    // A late success report from the cancelled attempt changes nothing.
    expect((await transitions.finishJob(sys, ctx, a.id, 1, "SUCCEEDED")).changed).toBe(false);
  });

  it("cancelling one job lets the run conclude CANCELED once the rest ended", async () => {
    const { cancelJob } = await import("../../src/run/cancel");
    const run = await plan([{ key: "slow" }, { key: "after", needs: ["slow"] }, { key: "report", needs: ["slow"], if: "cancelled() || always()" }]);
    await advanceRun(db, ctx, run);
    const slow = await db.system("test").jobRun.findFirstOrThrow({ where: { runId: run, key: "slow" } });
    expect(await cancelJob(db, ctx, slow.id, "stop")).toBe(true);
    expect(await statuses(run)).toMatchObject({ slow: "CANCELED", after: "SKIPPED", report: "WAITING" });
    expect((await finish(run, "report", "SUCCEEDED")).finished).toBe("CANCELED");
  });
});
