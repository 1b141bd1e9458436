// Why each QUEUED or WAITING job of a run has not started, from the engine's own state: the rows in Postgres
// (needs, gates, approvals, concurrency holders, pools and runners) and the pool's fair queue in Redis (the
// tenant's cap and token bucket, the job's place in line). Read-only; a run with nothing waiting reads one row.
import { isAwaitingApproval, isTerminalRunStatus, poolsUsableBy, protectionRuleConfig, type Database, type RunStatus, type TenantContext } from "@gantry/db";
import type { FairScheduler } from "@gantry/scheduler";
import type { Clock } from "../clock";
import { RUNNER_ONLINE_WINDOW_MS } from "../dispatch/avoid-runners";
import { retryPending } from "../dispatch/retry-policy";
import { readPlan, type StoredPlan } from "../plan/read-plan";
import type { HeldBy, WaitReason } from "./wait-reason";

/** The pool's recent starts are counted over this window for an estimate of when a queued job starts. */
const THROUGHPUT_WINDOW_MS = 10 * 60_000;
const MIN_STARTS_FOR_ESTIMATE = 10;

interface Deps {
  db: Database;
  scheduler: FairScheduler;
  clock: Clock;
}

type WaitingJob = {
  id: string;
  key: string;
  jobId: string;
  callerId: string | null;
  status: RunStatus;
  needs: string[];
  poolId: string | null;
  poolLabels: string[];
  attempt: number;
  runAttempt: number;
  retryNotBefore: Date | null;
  concurrencyGroup: string | null;
  heldByConcurrency: boolean;
  environmentName: string | null;
  gatedAt: Date | null;
};

/** What a pool says of every job waiting in it: read once per pool, however many of the run's jobs wait there. */
interface PoolFacts {
  name: string;
  /** Runners seen lately (drained ones excluded) or holding a live lease. */
  live: boolean;
  startsPerMinute: number | null;
}

/**
 * The reason of every QUEUED or WAITING job of the run (or only of `onlyJobId`: a job's check report), by job id;
 * empty when none waits or the run is not the tenant's.
 */
export async function whyWaiting(deps: Deps, ctx: TenantContext, runId: string, onlyJobId?: string): Promise<Map<string, WaitReason>> {
  const scoped = deps.db.forTenant(ctx);
  const run = await scoped.workflowRun.findUnique({
    where: { id: runId },
    select: { id: true, status: true, repositoryId: true, concurrencyGroup: true, approvalRequired: true, approvedAt: true, plan: true, jobs: { select: { id: true, key: true, jobId: true, callerId: true, status: true, needs: true, poolId: true, poolLabels: true, attempt: true, runAttempt: true, retryNotBefore: true, concurrencyGroup: true, heldByConcurrency: true, environmentName: true, gatedAt: true } } },
  });
  const reasons = new Map<string, WaitReason>();
  if (!run) return reasons;
  const waiting = run.jobs.filter((job) => (job.status === "QUEUED" || job.status === "WAITING") && (onlyJobId === undefined || job.id === onlyJobId));
  if (waiting.length === 0) return reasons;
  const now = deps.clock.now();
  if (isAwaitingApproval(run)) {
    for (const job of waiting) reasons.set(job.id, { kind: "fork-approval", why: run.approvalRequired ?? "" });
    return reasons;
  }
  if (run.status === "WAITING" && run.concurrencyGroup) {
    const heldBy = await runHolding(deps.db, ctx, run.concurrencyGroup, run.id);
    for (const job of waiting) reasons.set(job.id, { kind: "run-concurrency", group: run.concurrencyGroup, heldBy });
    return reasons;
  }
  const byId = new Map(run.jobs.map((job) => [job.id, job]));
  const plan = readPlan(run.plan);
  const pools = new Map<string, Promise<PoolFacts>>();
  const poolFactsOf = (poolId: string) => {
    let facts = pools.get(poolId);
    if (!facts) pools.set(poolId, (facts = readPoolFacts(deps.db, poolId, now)));
    return facts;
  };
  for (const job of waiting) {
    reasons.set(job.id, await reasonOf(deps, ctx, { job, byId, plan, repositoryId: run.repositoryId, now, siblings: run.jobs, poolFactsOf }));
  }
  return reasons;
}

async function reasonOf(
  deps: Deps,
  ctx: TenantContext,
  { job, byId, plan, repositoryId, now, siblings, poolFactsOf }: { job: WaitingJob; byId: Map<string, WaitingJob>; plan: StoredPlan | null; repositoryId: string; now: number; siblings: WaitingJob[]; poolFactsOf: (poolId: string) => Promise<PoolFacts> },
): Promise<WaitReason> {
  if (retryPending(job.retryNotBefore, now) && job.retryNotBefore) return { kind: "retry-backoff", until: job.retryNotBefore.toISOString(), attempt: job.attempt + 1 };
  if (job.status === "QUEUED") {
    const open = job.needs.map((id) => byId.get(id)).filter((need): need is WaitingJob => need !== undefined && !isTerminalRunStatus(need.status));
    if (open.length > 0) return { kind: "needs", jobs: open.map((need) => ({ key: need.key, status: need.status })) };
    if (job.environmentName && job.gatedAt) {
      const gate = await gateReason(deps.db, ctx, job, repositoryId, now);
      if (gate) return gate;
    }
    const planned = plan?.jobs.find((entry) => entry.key === job.key);
    const maxParallel = typeof planned?.maxParallel === "number" ? planned.maxParallel : Number(planned?.maxParallel);
    if (planned?.matrix && Number.isInteger(maxParallel) && maxParallel > 0) {
      const active = siblings.filter((cell) => cell.jobId === job.jobId && cell.callerId === job.callerId && (cell.status === "WAITING" || cell.status === "RUNNING")).length;
      if (active >= maxParallel) return { kind: "max-parallel", active, maxParallel };
    }
    return { kind: "settling", detail: "Its needs have finished: it is being made ready." };
  }
  if (job.heldByConcurrency && job.concurrencyGroup) return { kind: "concurrency", group: job.concurrencyGroup, heldBy: await jobHolding(deps.db, ctx, job.concurrencyGroup, job.id) };
  if (!job.poolId) {
    const pools = await deps.db.system("why waiting: the pools the tenant may use").runnerPool.findMany({ where: poolsUsableBy(ctx.tenantId), select: { name: true, labels: true }, orderBy: { name: "asc" } });
    return { kind: "no-pool", labels: job.poolLabels, pools };
  }
  return poolReason(deps, ctx, { ...job, poolId: job.poolId }, await poolFactsOf(job.poolId), now);
}

async function gateReason(db: Database, ctx: TenantContext, job: WaitingJob, repositoryId: string, now: number): Promise<WaitReason | null> {
  const environment = await db.forTenant(ctx).environment.findFirst({
    where: { repositoryId, name: job.environmentName ?? "" },
    select: { rules: { select: { kind: true, config: true } }, approvals: { where: { jobRunId: job.id, runAttempt: job.runAttempt }, select: { status: true, expiresAt: true, votes: { select: { decision: true } } } } },
  });
  if (!environment || !job.environmentName) return null;
  for (const rule of environment.rules) {
    if (rule.kind !== "WAIT_TIMER" || !job.gatedAt) continue;
    const timer = protectionRuleConfig.WAIT_TIMER.safeParse(rule.config);
    const until = timer.success ? job.gatedAt.getTime() + timer.data.minutes * 60_000 : 0;
    if (until > now) return { kind: "wait-timer", environment: job.environmentName, until: new Date(until).toISOString() };
  }
  const reviewersRule = environment.rules.find((rule) => rule.kind === "REQUIRED_REVIEWERS");
  const pending = environment.approvals.find((approval) => approval.status === "PENDING");
  if (!reviewersRule || !pending) return null;
  const rule = protectionRuleConfig.REQUIRED_REVIEWERS.safeParse(reviewersRule.config);
  if (!rule.success) return null;
  const users = rule.data.reviewers.length === 0 ? [] : await db.system("why waiting: the environment's reviewers, by name").user.findMany({ where: { id: { in: rule.data.reviewers } }, select: { name: true, email: true } });
  return {
    kind: "approval",
    environment: job.environmentName,
    requiredApprovals: rule.data.requiredApprovals,
    approvals: pending.votes.filter((vote) => vote.decision === "APPROVED").length,
    reviewers: users.map((user) => user.name || user.email),
    reviewerRoles: rule.data.reviewerRoles,
    expiresAt: pending.expiresAt.toISOString(),
  };
}

async function readPoolFacts(db: Database, poolId: string, now: number): Promise<PoolFacts> {
  const sys = db.system("why waiting: the job's pool, its runners and its recent starts");
  const [pool, online, busy, recentStarts] = await Promise.all([
    sys.runnerPool.findUnique({ where: { id: poolId }, select: { name: true } }),
    sys.runner.count({ where: { poolId, status: { not: "DRAINING" }, lastSeenAt: { gte: new Date(now - RUNNER_ONLINE_WINDOW_MS) } } }),
    sys.jobAttempt.count({ where: { status: { in: ["ASSIGNED", "RUNNING"] }, leaseExpiresAt: { gt: new Date(now) }, runner: { poolId } } }),
    sys.jobAttempt.count({ where: { createdAt: { gte: new Date(now - THROUGHPUT_WINDOW_MS) }, job: { poolId } } }),
  ]);
  // Too few starts say nothing of the pool's pace (a fresh platform, a quiet night): no estimate then.
  const startsPerMinute = recentStarts >= MIN_STARTS_FOR_ESTIMATE ? Math.round((recentStarts / (THROUGHPUT_WINDOW_MS / 60_000)) * 10) / 10 : null;
  return { name: pool?.name ?? poolId, live: online > 0 || busy > 0, startsPerMinute };
}

async function poolReason(deps: Deps, ctx: TenantContext, job: WaitingJob & { poolId: string }, pool: PoolFacts, now: number): Promise<WaitReason> {
  const place = await deps.scheduler.placeOf(job.poolId, ctx.tenantId, job.id);
  if (place.state === "claimed") return { kind: "starting", pool: pool.name };
  if (!pool.live) return { kind: "no-runner", pool: pool.name, labels: job.poolLabels };
  if (place.state === "absent") return { kind: "settling", detail: `Being placed in pool ${pool.name}'s queue.` };
  if (place.placement === "capped" && place.maxConcurrent !== null) return { kind: "tenant-cap", pool: pool.name, running: place.claimed, max: place.maxConcurrent };
  if (place.placement === "throttled") return { kind: "rate-limit", pool: pool.name, nextTokenAt: place.tokenDueAtMs === null ? null : new Date(place.tokenDueAtMs).toISOString(), perSecond: place.ratePerSec };
  const { startsPerMinute } = pool;
  const ahead = place.ahead ?? 0;
  return {
    kind: "queued",
    pool: pool.name,
    ahead,
    aheadOfOwnTenant: place.aheadOfOwnTenant ?? 0,
    startsPerMinute,
    estimatedStartAt: startsPerMinute ? new Date(now + ((ahead + 1) / startsPerMinute) * 60_000).toISOString() : null,
  };
}

async function runHolding(db: Database, ctx: TenantContext, group: string, runId: string): Promise<HeldBy | null> {
  const holder = await db.forTenant(ctx).workflowRun.findFirst({
    where: { concurrencyGroup: group, id: { not: runId }, status: { in: ["RUNNING", "WAITING", "QUEUED"] } },
    // The running one holds it; among pending ones, the oldest goes first.
    orderBy: [{ startedAt: { sort: "asc", nulls: "last" } }, { createdAt: "asc" }],
    select: { id: true, runNumber: true, workflowName: true, status: true },
  });
  return holder ? { runId: holder.id, runNumber: holder.runNumber, workflow: holder.workflowName } : null;
}

async function jobHolding(db: Database, ctx: TenantContext, group: string, jobId: string): Promise<HeldBy | null> {
  const holder = await db.forTenant(ctx).jobRun.findFirst({
    where: { concurrencyGroup: group, id: { not: jobId }, heldByConcurrency: false, status: { in: ["WAITING", "RUNNING"] } },
    orderBy: { createdAt: "asc" },
    select: { key: true, run: { select: { id: true, runNumber: true, workflowName: true } } },
  });
  return holder ? { runId: holder.run.id, runNumber: holder.run.runNumber, workflow: holder.run.workflowName, jobKey: holder.key } : null;
}
