// Leases, backoffs and timers on a clock the test moves (issue #15: "an injectable clock so timers and leases are
// tested without sleeping"): the engine is created with @gantry/testing's manualClock, and every time decision it
// makes in code — a lease lapsed, a retry's backoff over, a timer's delay, an environment's wait timer passed —
// follows that clock. No sleeping, no editing of deadlines in Postgres or BullMQ. Real Postgres, Redis and BullMQ.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, type TenantContext } from "@gantry/db";
import { Queues } from "@gantry/jobs";
import { manualClock, type ManualClock } from "@gantry/testing";
import { compileWorkflow } from "@gantry/workflow-schema";
import { createEngine, infrastructureRetryDelayMs, type Engine } from "../src/index";
import { engineTestbed, type EngineTestbed } from "./testbed";

const POOL = "pool-clock";
const LEASE_MS = 30_000;
let bed: EngineTestbed;
let queues: Queues;
const ctx: TenantContext = { tenantId: "ten_clock", actor: { kind: "SYSTEM" } };

beforeAll(async () => {
  bed = await engineTestbed();
  queues = new Queues(bed.redis, bed.prefix);
  await bed.addTenant("clock", { id: ctx.tenantId, repositoryId: "repo-clock" });
  await bed.addPool(POOL, { tenantId: ctx.tenantId });
  for (const name of ["runner-a", "runner-b"]) {
    await bed.db.system("test").runner.create({ data: { id: name, poolId: POOL, name, credentialHash: "x", version: "test", capacity: 1 } });
  }
});
afterAll(async () => {
  await queues.close();
  await bed.close();
});

/** An engine whose "now" is a clock the test moves, starting at the real time (Postgres stamps leases with its own). */
function engineOnClock(): { engine: Engine; clock: ManualClock } {
  const clock = manualClock();
  return { engine: createEngine({ db: bed.db, scheduler: bed.scheduler, queues, clock, log: () => undefined }), clock };
}

async function startRun(engine: Engine, job: { maxAttempts?: number; timeoutMinutes?: number; environment?: string } = {}) {
  const yaml = [
    "on: push",
    "jobs:",
    "  build:",
    "    runs-on: ubuntu-latest",
    `    timeout-minutes: ${job.timeoutMinutes ?? 10}`,
    ...(job.environment ? [`    environment: ${job.environment}`] : []),
    "    steps:",
    "      - run: make",
  ].join("\n");
  const { plan, errors } = compileWorkflow(yaml, ".gantry/workflows/ci.yml");
  if (!plan) throw new Error(errors.map((error) => error.message).join("; "));
  const created = await intake.createRun(bed.db.system("test"), ctx, {
    repositoryId: "repo-clock",
    idempotencyKey: randomBytes(8).toString("hex"),
    workflowPath: plan.file,
    workflowName: plan.name,
    event: "push",
    ref: "refs/heads/main",
    sha: "c".repeat(40),
    trusted: true,
    plan: { ...plan, jobs: plan.jobs.map((planned) => ({ ...planned, retry: { ...planned.retry, maxAttempts: job.maxAttempts ?? 2 } })) },
  });
  await engine.startRun(ctx, created.runId);
  const jobRow = await bed.db.system("test").jobRun.findFirstOrThrow({ where: { runId: created.runId } });
  return { runId: created.runId, jobId: jobRow.id };
}

const claim = (engine: Engine, runnerId: string) => engine.claim({ poolId: POOL, runnerId, leaseMs: LEASE_MS, maxTimeoutMinutes: 360 });
const jobOf = (jobId: string) => bed.db.system("test").jobRun.findUniqueOrThrow({ where: { id: jobId }, include: { attempts: { orderBy: { number: "asc" } } } });
/** The delay a timer was set with (0: due at once); null: no such timer. */
async function timerDelay(queue: string, id: string): Promise<number | null> {
  const timer = await queues.queue(queue).getJob(id);
  return timer ? (timer.opts.delay ?? 0) : null;
}

describe("the engine on a moved clock", () => {
  it("reaps a lease only once the clock passes it: the attempt is LOST and the job goes back in line", async () => {
    const { engine, clock } = engineOnClock();
    const { jobId } = await startRun(engine);
    const claimed = await claim(engine, "runner-a");
    expect(claimed?.claimed.jobId).toBe(jobId);

    clock.advance(LEASE_MS - 5_000);
    expect(await engine.reap(100)).toEqual({ lost: 0, requeued: 0, failed: 0 });
    expect((await jobOf(jobId)).status).toBe("RUNNING");

    clock.advance(10_000);
    expect(await engine.reap(100)).toEqual({ lost: 1, requeued: 1, failed: 0 });
    const job = await jobOf(jobId);
    expect(job.status).toBe("WAITING");
    expect(job.attempts.map((attempt) => [attempt.status, attempt.failureKind])).toEqual([["LOST", "INFRASTRUCTURE"]]);
    // Back in its pool's queue: the other runner takes attempt 2 (the one that lost it is avoided).
    expect((await claim(engine, "runner-b"))?.claimed).toMatchObject({ jobId, attempt: 2 });
  });

  it("holds an infrastructure retry until its backoff has passed on the clock, then queues it", async () => {
    const { engine, clock } = engineOnClock();
    const { jobId } = await startRun(engine);
    const first = await claim(engine, "runner-a");
    if (!first) throw new Error("not claimed");
    const result = await engine.complete({ tenantId: ctx.tenantId, attemptId: first.claimed.attemptId, conclusion: "FAILED", failureCause: "infrastructure", failureReason: "the sandbox did not start" });
    expect(result.retry).toBeDefined();
    // The retry timer's delay is the backoff, from the clock's now.
    expect(await timerDelay("gantry-timers", `retry-${jobId}-1`)).toBe(infrastructureRetryDelayMs(1));

    // The timer firing early (a clock that has not moved yet) queues nothing.
    await engine.retryDue({ tenantId: ctx.tenantId, jobId, attempt: 1 });
    expect(await claim(engine, "runner-b")).toBeNull();

    clock.advance(infrastructureRetryDelayMs(1));
    await engine.retryDue({ tenantId: ctx.tenantId, jobId, attempt: 1 });
    expect((await claim(engine, "runner-b"))?.claimed).toMatchObject({ jobId, attempt: 2 });
  });

  it("sets a job's timeout timer from the clock, and a rebuilt timer of an overdue job is due at once", async () => {
    const { engine, clock } = engineOnClock();
    const { jobId } = await startRun(engine, { timeoutMinutes: 3 });
    expect((await claim(engine, "runner-a"))?.claimed.jobId).toBe(jobId);
    expect(await timerDelay("gantry-timers", `timeout-${jobId}-1`)).toBe(3 * 60_000);

    // Redis lost the timer; the clock is past the job's deadline: the rebuild sets it due now.
    await (await queues.queue("gantry-timers").getJob(`timeout-${jobId}-1`))?.remove();
    clock.advance(3 * 60_000 + 1_000);
    await engine.rebuildTimers();
    expect(await timerDelay("gantry-timers", `timeout-${jobId}-1`)).toBe(0);
    expect(await engine.timeOut({ tenantId: ctx.tenantId, jobId, attempt: 1 })).toBe(true);
    expect((await jobOf(jobId)).status).toBe("TIMED_OUT");
  });

  it("keeps a job at its environment's wait timer until the clock passes it", async () => {
    const { engine, clock } = engineOnClock();
    const environment = await bed.db.system("test").environment.create({ data: { id: `env-${randomBytes(4).toString("hex")}`, tenantId: ctx.tenantId, repositoryId: "repo-clock", name: "staging" } });
    await bed.db.system("test").protectionRule.create({ data: { id: `rule-${environment.id}`, tenantId: ctx.tenantId, environmentId: environment.id, kind: "WAIT_TIMER", config: { minutes: 5 } } });
    const { runId, jobId } = await startRun(engine, { environment: "staging" });
    // Held at the gate (QUEUED, not yet WAITING for a runner), its timer set for the wait's end from the clock's now.
    expect((await jobOf(jobId)).status).toBe("QUEUED");
    // Its gate timer is set for the wait's end, from the clock's now.
    const gatedAt = (await jobOf(jobId)).gatedAt;
    if (!gatedAt) throw new Error("the job was not gated");
    const dueMs = gatedAt.getTime() + 5 * 60_000;
    expect(await timerDelay("gantry-timers", `gate-${jobId}-${dueMs}`)).toBe(Math.max(0, dueMs - clock.now()));

    clock.advance(4 * 60_000);
    await engine.advance(ctx, runId);
    expect((await jobOf(jobId)).status).toBe("QUEUED");
    expect(await claim(engine, "runner-a")).toBeNull();

    clock.advance(2 * 60_000);
    await engine.advance(ctx, runId);
    expect((await claim(engine, "runner-a"))?.claimed.jobId).toBe(jobId);
  });
});
