// Every ended attempt has a cause (issue #15): a runner's infrastructure failure sends the job back in line with
// backoff, avoiding that runner while another of the pool can take it, until the budget is spent; a user failure
// never retries; a cancel is CANCELLED. Real Postgres and Redis, simulated runners (Runner rows + claims).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, type Database, type TenantContext } from "@gantry/db";
import type { FairScheduler } from "@gantry/scheduler";
import { engineTestbed, type EngineTestbed } from "./testbed";
import { claimJob, completeAttempt, enqueueReady, infrastructureRetryDelayMs, RETRY_MAX_MS } from "../src/index";
import { rebuildPools } from "../src/dispatch/rebuild-pools";
import { cancelRun } from "../src/run/cancel";
import { advanceRun } from "../src/run/advance-run";
import type { ReadyHandler } from "../src/lifecycle/ready-handler";
import { reapLapsedLeases } from "../src/lifecycle/reap-leases";

const POOL = "pool-causes";
let bed: EngineTestbed;
let db: Database;
let scheduler: FairScheduler;
let ready: ReadyHandler;
const ctx: TenantContext = { tenantId: "ten_causes", actor: { kind: "SYSTEM" } };

beforeAll(async () => {
  bed = await engineTestbed({ poolSize: 8 });
  ({ db, scheduler, ready } = bed);
  await bed.addTenant("causes", { id: ctx.tenantId, repositoryId: "repo-causes" });
  await bed.addPool(POOL, { tenantId: ctx.tenantId });
  for (const name of ["runner-a", "runner-b"]) {
    await db.system("test").runner.create({ data: { id: name, poolId: POOL, name, credentialHash: "x", version: "test", capacity: 1 } });
  }
});
afterAll(() => bed.close());

async function startRun(maxAttempts: number) {
  const created = await intake.createRun(db.system("test"), ctx, {
    repositoryId: "repo-causes",
    idempotencyKey: randomBytes(8).toString("hex"),
    workflowPath: "ci.yml",
    workflowName: "CI",
    event: "push",
    ref: "refs/heads/main",
    sha: "9".repeat(40),
    trusted: true,
    plan: { jobs: [{ key: "build", jobId: "build", name: "build", needs: [], runsOn: ["ubuntu-latest"], timeoutMinutes: 10, continueOnError: false, retry: { maxAttempts } }] },
  });
  await advanceRun(db, ctx, created.runId, { onReady: (ids) => ready(ctx, ids) });
  return created.runId;
}

/** Both runners online and idle, unless `seenMsAgo` says when one was last seen. */
async function runnersSeen(seenMsAgo: Record<string, number> = {}) {
  for (const id of ["runner-a", "runner-b"]) {
    await db.system("test").runner.update({ where: { id }, data: { status: "ONLINE", lastSeenAt: new Date(Date.now() - (seenMsAgo[id] ?? 0)) } });
  }
}

/** The backoff has passed: what the job-retry timer does once it is due, at a "now" past the longest backoff. */
async function backoffPassed(jobId: string) {
  await enqueueReady(db, scheduler, ctx, [jobId], Date.now() + RETRY_MAX_MS + 1_000);
}

/** The reaper at a "now" past the claims' 30 s leases. */
const reapPastTheLeases = () => reapLapsedLeases(db, 100, Date.now() + 31_000);

const claim = (runnerId: string) => claimJob(db, scheduler, { poolId: POOL, runnerId, leaseMs: 30_000 });
const jobOf = (runId: string) => db.system("test").jobRun.findFirstOrThrow({ where: { runId }, include: { attempts: { orderBy: { number: "asc" } } } });

describe("failure causes and infrastructure retries", () => {
  it("an infrastructure failure ends the attempt as INFRASTRUCTURE and requeues the job with backoff, avoiding the runner", async () => {
    await runnersSeen();
    const runId = await startRun(3);
    const first = await claim("runner-a");
    expect(first).not.toBeNull();
    const before = Date.now();
    const result = await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: first?.attemptId ?? "", conclusion: "FAILED", failureCause: "infrastructure", failureReason: "the process sandbox did not start: ENOENT" });
    expect(result.applied).toBe(true);
    expect(result.retry?.attempt).toBe(1);
    const job = await jobOf(runId);
    expect(job.status).toBe("WAITING");
    expect(job.avoidRunnerIds).toEqual(["runner-a"]);
    const wait = (job.retryNotBefore?.getTime() ?? 0) - before;
    expect(wait).toBeGreaterThanOrEqual(infrastructureRetryDelayMs(1) - 50);
    expect(wait).toBeLessThan(infrastructureRetryDelayMs(1) + 5_000);
    expect(job.attempts.map((a) => [a.status, a.failureKind, a.failureReason])).toEqual([["FAILED", "INFRASTRUCTURE", "the process sandbox did not start: ENOENT"]]);
    // Before the backoff is over the job is in no queue, and neither enqueueing nor a rebuild from Postgres puts it there.
    await ready(ctx, [job.id]);
    expect(await scheduler.depth(POOL)).toBe(0);
    await rebuildPools(db, scheduler);
    expect(await scheduler.depth(POOL)).toBe(0);
    expect(await claim("runner-b")).toBeNull();
    // Once it is over, the rebuild would place it too; the timer's enqueue does.
    await backoffPassed(job.id);
    expect(await scheduler.depth(POOL)).toBe(1);
    const second = await claim("runner-b");
    expect(second?.jobId).toBe(job.id);
    expect(second?.attempt).toBe(2);
    await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: second?.attemptId ?? "", conclusion: "SUCCEEDED" });
    const done = await jobOf(runId);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.attempts.map((a) => [a.number, a.runnerId, a.status, a.failureKind])).toEqual([
      [1, "runner-a", "FAILED", "INFRASTRUCTURE"],
      [2, "runner-b", "SUCCEEDED", null],
    ]);
  });

  it("the backoff doubles per attempt, capped", () => {
    expect([1, 2, 3, 4].map(infrastructureRetryDelayMs)).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(infrastructureRetryDelayMs(30)).toBe(60_000);
  });

  it("when the budget is spent the job fails with cause INFRASTRUCTURE and a reason saying so", async () => {
    await runnersSeen();
    const runId = await startRun(2);
    for (const runnerId of ["runner-a", "runner-b"]) {
      const claimed = await claim(runnerId);
      expect(claimed).not.toBeNull();
      await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: claimed?.attemptId ?? "", conclusion: "FAILED", failureCause: "infrastructure", failureReason: "the runner's disk is full" });
      if (runnerId === "runner-a") await backoffPassed((await jobOf(runId)).id);
    }
    const job = await jobOf(runId);
    expect([job.status, job.failureKind]).toEqual(["FAILED", "INFRASTRUCTURE"]);
    expect(job.failureReason).toBe("the runner's disk is full (an infrastructure failure on each of its 2 attempts)");
    expect(job.attempts.map((a) => a.failureKind)).toEqual(["INFRASTRUCTURE", "INFRASTRUCTURE"]);
    await advanceRun(db, ctx, runId, { onReady: (ids) => ready(ctx, ids) });
    expect((await db.system("test").workflowRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("FAILED");
    expect(await scheduler.depth(POOL)).toBe(0);
  });

  it("a user failure never retries", async () => {
    await runnersSeen();
    const runId = await startRun(3);
    const claimed = await claim("runner-a");
    const result = await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: claimed?.attemptId ?? "", conclusion: "FAILED", failureReason: 'step "test" failed: exit 1' });
    expect(result.retry).toBeUndefined();
    const job = await jobOf(runId);
    expect([job.status, job.failureKind, job.failureReason, job.retryNotBefore]).toEqual(["FAILED", "USER", 'step "test" failed: exit 1', null]);
    expect(job.attempts.map((a) => [a.status, a.failureKind])).toEqual([["FAILED", "USER"]]);
    expect(await scheduler.depth(POOL)).toBe(0);
  });

  it("a cancel makes the job and its live attempt CANCELLED, and the runner's CANCELED report keeps it so", async () => {
    await runnersSeen();
    const runId = await startRun(3);
    const claimed = await claim("runner-a");
    await cancelRun(db, ctx, runId, "cancelled by a person");
    let job = await jobOf(runId);
    expect([job.status, job.failureKind, job.failureReason]).toEqual(["CANCELED", "CANCELLED", "cancelled by a person"]);
    // The attempt runs until its runner hears of the cancel; it already carries its cause.
    expect(job.attempts.map((a) => [a.status, a.failureKind])).toEqual([["ASSIGNED", "CANCELLED"]]);
    await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: claimed?.attemptId ?? "", conclusion: "CANCELED" });
    job = await jobOf(runId);
    expect(job.attempts.map((a) => [a.status, a.failureKind])).toEqual([["CANCELED", "CANCELLED"]]);
  });

  it("a lost lease requeues the job at once, avoiding the lost runner; a cancelled job's lost attempt stays CANCELLED", async () => {
    await runnersSeen();
    const runId = await startRun(3);
    expect((await claim("runner-a"))?.attempt).toBe(1);
    expect(await reapPastTheLeases()).toMatchObject({ lost: 1, requeued: 1 });
    const job = await jobOf(runId);
    expect([job.status, job.avoidRunnerIds, job.retryNotBefore]).toEqual(["WAITING", ["runner-a"], null]);
    expect(job.attempts.map((a) => [a.status, a.failureKind])).toEqual([["LOST", "INFRASTRUCTURE"]]);
    await scheduler.release(POOL, ctx.tenantId, job.id);
    await ready(ctx, [job.id]);
    const retried = await claim("runner-b");
    expect(retried?.jobId).toBe(job.id);

    // Cancelled while attempt 2 ran, and its runner never reported: the reaper keeps the cause CANCELLED.
    await cancelRun(db, ctx, runId, "cancelled by a person");
    await reapPastTheLeases();
    const ended = await jobOf(runId);
    expect(ended.attempts.map((a) => [a.status, a.failureKind])).toEqual([
      ["LOST", "INFRASTRUCTURE"],
      ["LOST", "CANCELLED"],
    ]);
    await scheduler.release(POOL, ctx.tenantId, job.id);
  });

  it("the claim of an avoided runner hands the job back while another runner is free, and takes it when none is", async () => {
    await runnersSeen();
    const runId = await startRun(3);
    const first = await claim("runner-a");
    await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: first?.attemptId ?? "", conclusion: "FAILED", failureCause: "infrastructure", failureReason: "the sandbox died" });
    const { id: jobId } = await jobOf(runId);
    await backoffPassed(jobId);
    const fairBefore = (await scheduler.stats(POOL)).tenants;
    // runner-b is online and idle: runner-a's claims hand the job back, uncharged (the tenant's virtual start and
    // running count as before) and in its place.
    expect(await claim("runner-a")).toBeNull();
    expect(await claim("runner-a")).toBeNull();
    expect(await scheduler.depth(POOL)).toBe(1);
    expect((await scheduler.stats(POOL)).tenants).toEqual(fairBefore);
    const second = await claim("runner-b");
    expect([second?.jobId, second?.attempt]).toEqual([jobId, 2]);
    await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: second?.attemptId ?? "", conclusion: "FAILED", failureCause: "infrastructure", failureReason: "the sandbox died" });
    expect((await jobOf(runId)).avoidRunnerIds).toEqual(["runner-a", "runner-b"]);
    await backoffPassed(jobId);
    // Every runner of the pool is avoided now: whichever claims takes it (a pool of one still retries).
    const third = await claim("runner-a");
    expect([third?.jobId, third?.attempt]).toEqual([jobId, 3]);
    await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: third?.attemptId ?? "", conclusion: "SUCCEEDED" });
  });

  it("an avoided runner takes the job when the other runner is offline or busy", async () => {
    await runnersSeen({ "runner-b": 10 * 60_000 });
    const runId = await startRun(3);
    const first = await claim("runner-a");
    await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: first?.attemptId ?? "", conclusion: "FAILED", failureCause: "infrastructure", failureReason: "the sandbox died" });
    const { id: jobId } = await jobOf(runId);
    await backoffPassed(jobId);
    // runner-b was last seen ten minutes ago: not counted on.
    const second = await claim("runner-a");
    expect([second?.jobId, second?.attempt, second && (await db.system("test").jobAttempt.findUniqueOrThrow({ where: { id: second.attemptId } })).runnerId]).toEqual([jobId, 2, "runner-a"]);
    await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: second?.attemptId ?? "", conclusion: "SUCCEEDED" });

    // runner-b is online but its one slot is taken by another job: runner-a takes the retry.
    await runnersSeen();
    const busyRun = await startRun(1);
    const busy = await claim("runner-b");
    expect(busy).not.toBeNull();
    const retryRun = await startRun(3);
    const failing = await claim("runner-a");
    await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: failing?.attemptId ?? "", conclusion: "FAILED", failureCause: "infrastructure", failureReason: "the sandbox died" });
    await backoffPassed((await jobOf(retryRun)).id);
    const retried = await claim("runner-a");
    expect(retried?.jobId).toBe((await jobOf(retryRun)).id);
    await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: retried?.attemptId ?? "", conclusion: "SUCCEEDED" });
    await completeAttempt(db, scheduler, { tenantId: ctx.tenantId, attemptId: busy?.attemptId ?? "", conclusion: "SUCCEEDED" });
    expect((await jobOf(busyRun)).status).toBe("SUCCEEDED");
  });
});
