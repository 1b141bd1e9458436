// The run engine: one object that owns a job's life on top of the state machine in packages/db — start a run,
// advance it, enqueue ready jobs, claim, complete, reap, time out, cancel, re-run, approve a fork's held run — with
// the queues it must tell made part of it, so no caller can forget them (check runs and workflow_run events used to
// depend on a registration only the worker made). The worker's BullMQ processors and the web's runner routes are
// thin adapters over this.
import type { Database, TenantContext } from "@gantry/db";
import { scheduleJobRetry, type Queues } from "@gantry/jobs";
import type { FairScheduler } from "@gantry/scheduler";
import { claimAssignment, claimAssignments, type ClaimAssignment, type ClaimInput } from "./claim/claim-assignment";
import type { GithubUrls } from "./contexts/run-facts";
import { completeAttempt, type AttemptReport, type CompleteResult } from "./dispatch/complete-attempt";
import { makeHeldHandler, type HeldHandler } from "./lifecycle/environment-gates";
import { rebuildJobTimeouts, timeOutJob } from "./lifecycle/job-timeouts";
import { makeReadyHandler, type ReadyHandler } from "./lifecycle/ready-handler";
import { reapLapsedLeases } from "./lifecycle/reap-leases";
import { reconcileQueues } from "./lifecycle/reconcile-queues";
import { advanceRun, type AdvanceOptions, type AdvanceResult } from "./run/advance-run";
import { cancelJob, cancelRun, type CancelResult } from "./run/cancel";
import { rerun, type RerunInput, type RerunResult } from "./run/rerun";
import { approveRun, rejectRun, type Decider, type ForkDecision } from "./run/fork-approval";
import { startRun } from "./run/start-run";
import { systemClock, type Clock } from "./clock";
import { whyWaiting } from "./explain/why-waiting";
import type { WaitReason } from "./explain/wait-reason";

export interface EngineOptions {
  db: Database;
  scheduler: FairScheduler;
  /** BullMQ producers: advance-run, timers, check reports, workflow_run events. */
  queues: Pick<Queues, "add">;
  /** GitHub's URLs for GitHub-connected runs' `github` context, looked up per use (the App may be configured later). */
  github?: () => GithubUrls | null;
  /** GANTRY_MASTER_KEY, decoded: opens the tenants' secrets a claim hands over; absent or null: jobs run without them. */
  masterKey?: Buffer | null;
  /** Where the engine says what a user should know but no run shows (a job run without its secrets, and why). */
  log?: (line: string) => void;
  /** "Now" for the engine's decisions in code (leases lapsed, backoffs, timers' delays); default the process's clock. */
  clock?: Clock;
  /**
   * Rings the tenant's run-events doorbell (publishRunChange) after each operation that may have changed a run's
   * status; live views re-read the changes from Postgres. Never awaited, failures ignored: a lost ring only delays.
   */
  announceRunChange?: (tenantId: string) => Promise<unknown>;
}

export interface Engine {
  readonly db: Database;
  readonly scheduler: FairScheduler;
  /** The hooks every run change of this engine uses (ready jobs to the queues, GitHub told). */
  hooks(ctx: TenantContext): AdvanceOptions;
  /** Jobs that became ready go to their pool's fair queue; unservable ones fail and their runs advance. */
  ready: ReadyHandler;
  /** Timers for jobs held at an environment gate. */
  held: HeldHandler;
  startRun(ctx: TenantContext, runId: string): Promise<AdvanceResult>;
  advance(ctx: TenantContext, runId: string): Promise<AdvanceResult>;
  cancelRun(ctx: TenantContext, runId: string, reason: string): Promise<CancelResult>;
  cancelJob(ctx: TenantContext, jobId: string, reason: string): Promise<boolean>;
  /**
   * Re-runs an ended run as its next attempt (all jobs, the failed ones, or one job, with their dependents), then
   * starts it like a new run (concurrency admission, then advance). Throws RerunRefused for an active run, an unknown
   * job, or nothing to re-run; a request that lost to another for the same attempt returns `rerun: false`.
   */
  rerun(ctx: TenantContext, runId: string, input: RerunInput): Promise<RerunResult>;
  /**
   * Approves a fork's run held for approval (WAITING → QUEUED, once), then starts it like a new run. Throws
   * ForkApprovalRefused for a run that was never held or was cancelled; a repeat returns `changed: false`.
   */
  approve(ctx: TenantContext, runId: string, decider: Decider): Promise<ForkDecision>;
  /** Cancels a fork's run held for approval; a repeat returns `changed: false`, an approved run is refused. */
  reject(ctx: TenantContext, runId: string, decider: Decider): Promise<ForkDecision>;
  /** The claim with everything the attempt starts with, its secrets included (only to a pool that may receive them). */
  claim(input: ClaimInput): Promise<ClaimAssignment | null>;
  /** Up to `max` claims for one runner from one pick of the fair queue (a runner asking for all its free slots). */
  claimMany(input: ClaimInput, max: number): Promise<ClaimAssignment[]>;

  /** An infrastructure failure sends the job back in line: its retry timer is set here. */
  complete(report: AttemptReport): Promise<CompleteResult>;
  /** A retry's backoff is over (the job-retry timer): the job goes to its pool's queue. */
  retryDue(payload: { tenantId: string; jobId: string; attempt: number }): Promise<void>;
  timeOut(payload: { tenantId: string; jobId: string; attempt: number }): Promise<boolean>;
  reap(limit: number): Promise<{ lost: number; requeued: number; failed: number }>;
  rebuildTimers(): Promise<number>;
  reconcile(): ReturnType<typeof reconcileQueues>;
  /** Why each QUEUED or WAITING job of the run has not started (read-only), by job id. */
  whyWaiting(ctx: TenantContext, runId: string, onlyJobId?: string): Promise<Map<string, WaitReason>>;
}

export function createEngine(options: EngineOptions): Engine {
  const { db, scheduler, queues } = options;
  const masterKey = options.masterKey ?? null;
  const log = options.log ?? ((line: string) => console.error(`[engine] ${line}`));
  const clock = options.clock ?? systemClock;
  const ready = makeReadyHandler(db, scheduler, queues, clock);
  const held = makeHeldHandler(queues, clock);
  const hooks = (ctx: TenantContext): AdvanceOptions => ({ onReady: (ids) => ready(ctx, ids), notify: queues, github: options.github?.() ?? null, clock });
  const announce = (tenantId: string) => void options.announceRunChange?.(tenantId).catch(() => undefined);
  /** Runs `operation` for the tenant, then rings its doorbell (also when it threw: it may have changed something first). */
  const announcing = async <T>(tenantId: string, operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } finally {
      announce(tenantId);
    }
  };
  const withHeld = async (ctx: TenantContext, runId: string, result: AdvanceResult) => {
    await held(ctx, runId, result.held);
    return result;
  };
  return {
    db,
    scheduler,
    hooks,
    ready,
    held,
    startRun: (ctx, runId) => announcing(ctx.tenantId, async () => withHeld(ctx, runId, await startRun(db, ctx, runId, hooks(ctx)))),
    advance: (ctx, runId) => announcing(ctx.tenantId, async () => withHeld(ctx, runId, await advanceRun(db, ctx, runId, hooks(ctx)))),
    cancelRun: (ctx, runId, reason) => announcing(ctx.tenantId, () => cancelRun(db, ctx, runId, reason, hooks(ctx))),
    cancelJob: (ctx, jobId, reason) => announcing(ctx.tenantId, () => cancelJob(db, ctx, jobId, reason, hooks(ctx))),
    rerun: (ctx, runId, input) =>
      announcing(ctx.tenantId, async () => {
        const result = await rerun(db, ctx, runId, input, hooks(ctx));
        if (result.rerun) await withHeld(ctx, runId, await startRun(db, ctx, runId, hooks(ctx)));
        return result;
      }),
    async claim(input) {
      const assignment = await claimAssignment({ db, scheduler, queues, github: options.github, masterKey, log, clock }, input);
      // The run's first claim moves it to RUNNING.
      if (assignment) announce(assignment.claimed.tenantId);
      return assignment;
    },
    async claimMany(input, max) {
      const assignments = await claimAssignments({ db, scheduler, queues, github: options.github, masterKey, log, clock }, input, max);
      for (const tenantId of new Set(assignments.map((assignment) => assignment.claimed.tenantId))) announce(tenantId);
      return assignments;
    },
    approve: (ctx, runId, decider) =>
      announcing(ctx.tenantId, async () => {
        const result = await approveRun(db, ctx, runId, decider, hooks(ctx));
        if (result.changed) await withHeld(ctx, runId, await startRun(db, ctx, runId, hooks(ctx)));
        return result;
      }),
    reject: (ctx, runId, decider) => announcing(ctx.tenantId, () => rejectRun(db, ctx, runId, decider, hooks(ctx))),
    async complete(report) {
      const nowMs = clock.now();
      const result = await completeAttempt(db, scheduler, report, nowMs);
      if (result.retry) await scheduleJobRetry(queues, result.retry, nowMs);
      return result;
    },
    retryDue: (payload) => announcing(payload.tenantId, () => ready({ tenantId: payload.tenantId, actor: { kind: "SYSTEM", id: "job-retry" } }, [payload.jobId])),
    timeOut: (payload) => announcing(payload.tenantId, () => timeOutJob(db, payload, scheduler, hooks)),
    async reap(limit) {
      const result = await reapLapsedLeases(db, limit, clock.now());
      for (const lost of [...result.requeuedJobs, ...result.failedJobs]) {
        const pool = await db.system("reaper: the job's pool").jobRun.findUnique({ where: { id: lost.jobId }, select: { poolId: true } });
        if (pool?.poolId) await scheduler.release(pool.poolId, lost.tenantId, lost.jobId);
      }
      for (const job of result.requeuedJobs) await ready({ tenantId: job.tenantId, actor: { kind: "SYSTEM", id: "reaper" } }, [job.jobId]);
      for (const job of result.failedJobs) {
        const ctx = { tenantId: job.tenantId, actor: { kind: "SYSTEM" as const, id: "reaper" } };
        await announcing(job.tenantId, async () => withHeld(ctx, job.runId, await advanceRun(db, ctx, job.runId, hooks(ctx))));
      }
      return { lost: result.lost, requeued: result.requeued, failed: result.failed };
    },
    rebuildTimers: () => rebuildJobTimeouts(db, queues, clock.now()),
    reconcile: () => reconcileQueues(db, scheduler, ready, held, queues, { github: options.github?.() ?? null, clock }),
    whyWaiting: (ctx, runId, onlyJobId) => whyWaiting({ db, scheduler, clock }, ctx, runId, onlyJobId),
  };
}
