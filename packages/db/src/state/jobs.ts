// Job transitions. A job's `attempt` is its generation: assignment raises it, and every transition after
// assignment names the attempt it expects, so a message from an older attempt can never change the job.
import { Prisma } from "../generated/prisma/client";
import type { FailureKind } from "../generated/prisma/enums";
import type { TenantContext } from "../tenant-scope";
import { conditionalTransition, type SqlRunner } from "./conditional-update";
import { outputsSet } from "./outputs-set";
import type { Conclusion, RunStatus } from "./statuses";

const now = Prisma.sql`now()`;

/** QUEUED → WAITING: its needs are met, its environment's gate is open, and it waits for a runner or its concurrency group. */
export function markJobWaiting(sql: SqlRunner, ctx: TenantContext, jobId: string, reason?: string) {
  return conditionalTransition<RunStatus>(sql, ctx, {
    entity: "JobRun",
    id: jobId,
    from: ["QUEUED"],
    to: "WAITING",
    set: [Prisma.sql`"readyAt" = ${now}`],
    reason,
  });
}

/**
 * A QUEUED job reached its environment's protection gate: records the environment and when the gate was first
 * reached (the wait timer counts from then; a second call keeps the first time). Returns that time, or null when
 * the job is no longer QUEUED.
 */
export async function markJobGated(sql: SqlRunner, ctx: TenantContext, jobId: string, environmentName: string): Promise<Date | null> {
  const rows = await sql.$queryRaw<{ gatedAt: Date }[]>`
    UPDATE "JobRun" SET "gatedAt" = COALESCE("gatedAt", now()), "environmentName" = ${environmentName}
    WHERE "id" = ${jobId} AND "tenantId" = ${ctx.tenantId} AND "status" = 'QUEUED'
    RETURNING "gatedAt"`;
  return rows[0]?.gatedAt ?? null;
}

/**
 * A QUEUED job entering an environment with no protection: records which (its environment's secrets and variables
 * are the job's at claim), without gating it. Not a transition; a job no longer QUEUED keeps what it had.
 */
export async function setJobEnvironment(sql: SqlRunner, ctx: TenantContext, jobId: string, environmentName: string): Promise<boolean> {
  const rows = await sql.$queryRaw<{ id: string }[]>`
    UPDATE "JobRun" SET "environmentName" = ${environmentName}
    WHERE "id" = ${jobId} AND "tenantId" = ${ctx.tenantId} AND "status" = 'QUEUED'
    RETURNING "id"`;
  return rows.length > 0;
}

/**
 * A QUEUED job's `runs-on`, evaluated when its needs were met (it held `${{ }}`): the labels its pool is chosen by.
 * Not a transition: the job stays QUEUED; a job no longer QUEUED keeps the labels it was placed with.
 */
export async function setJobPoolLabels(sql: SqlRunner, ctx: TenantContext, jobId: string, labels: string[]): Promise<boolean> {
  const rows = await sql.$queryRaw<{ id: string }[]>`
    UPDATE "JobRun" SET "poolLabels" = ${labels}::text[]
    WHERE "id" = ${jobId} AND "tenantId" = ${ctx.tenantId} AND "status" = 'QUEUED'
    RETURNING "id"`;
  return rows.length > 0;
}

/**
 * QUEUED | WAITING with attempt = expected → RUNNING with attempt = expected + 1. The caller creates the
 * JobAttempt in the same statement (`also`, assignments.ts); two schedulers racing both expect the same attempt
 * and only one wins.
 */
export function markJobAssigned(sql: SqlRunner, ctx: TenantContext, jobId: string, expectedAttempt: number, reason?: string, also?: Prisma.Sql) {
  return conditionalTransition<RunStatus>(sql, ctx, {
    entity: "JobRun",
    id: jobId,
    from: ["QUEUED", "WAITING"],
    to: "RUNNING",
    set: [Prisma.sql`"attempt" = t."attempt" + 1`, Prisma.sql`"startedAt" = COALESCE(t."startedAt", ${now})`],
    where: [Prisma.sql`t."attempt" = ${expectedAttempt}`],
    reason,
    ...(also ? { also } : {}),
  });
}

/** How an infrastructure retry goes back in line: not before a time (backoff), and not on the runner it failed on. */
export interface RetryPlacement {
  /** The job is enqueued again only from then (enqueueReady and the rebuild skip it until then). */
  notBefore?: Date;
  /** The runner the attempt failed on: the claim prefers any other runner of the pool while one can take the job. */
  avoidRunnerId?: string;
}

/**
 * RUNNING (attempt n) → WAITING, only while attempts remain: the attempt failed on the platform's side (its lease
 * lapsed, its sandbox did not start, …) and the job goes back in line. The single backward step in the machine;
 * it is keyed on n, so it cannot repeat.
 */
export function requeueJob(sql: SqlRunner, ctx: TenantContext, jobId: string, attempt: number, reason?: string, placement: RetryPlacement = {}) {
  // A delayed retry's place in the fair queue is its due time: it does not jump ahead of jobs that became ready meanwhile.
  const set = [placement.notBefore ? Prisma.sql`"readyAt" = ${placement.notBefore}::timestamp(3)` : Prisma.sql`"readyAt" = ${now}`, Prisma.sql`"retryNotBefore" = ${placement.notBefore ?? null}::timestamp(3)`];
  if (placement.avoidRunnerId) {
    set.push(Prisma.sql`"avoidRunnerIds" = CASE WHEN ${placement.avoidRunnerId} = ANY(t."avoidRunnerIds") THEN t."avoidRunnerIds" ELSE array_append(t."avoidRunnerIds", ${placement.avoidRunnerId}::text) END`);
  }
  return conditionalTransition<RunStatus>(sql, ctx, {
    entity: "JobRun",
    id: jobId,
    from: ["RUNNING"],
    to: "WAITING",
    set,
    where: [Prisma.sql`t."attempt" = ${attempt}`, Prisma.sql`t."attempt" < t."maxAttempts"`],
    reason,
  });
}

/** RUNNING (attempt n) → its conclusion. */
export function finishJob(
  sql: SqlRunner,
  ctx: TenantContext,
  jobId: string,
  attempt: number,
  conclusion: Conclusion,
  failure?: { kind: FailureKind; reason: string },
  /** The outputs of the attempt that ended it, written in the same statement (none: left as they are). */
  outputs?: Record<string, string>,
) {
  return conditionalTransition<RunStatus>(sql, ctx, {
    entity: "JobRun",
    id: jobId,
    from: ["RUNNING"],
    to: conclusion,
    set: [
      Prisma.sql`"finishedAt" = ${now}`,
      Prisma.sql`"failureKind" = ${failure?.kind ?? null}::"FailureKind"`,
      Prisma.sql`"failureReason" = ${failure?.reason ?? null}`,
      ...outputsSet(outputs),
    ],
    where: [Prisma.sql`t."attempt" = ${attempt}`],
    reason: failure?.reason,
  });
}

/** QUEUED | WAITING → SKIPPED: its `if` was false or a need failed; it never ran. */
export function skipJob(sql: SqlRunner, ctx: TenantContext, jobId: string, reason?: string) {
  return conditionalTransition<RunStatus>(sql, ctx, {
    entity: "JobRun",
    id: jobId,
    from: ["QUEUED", "WAITING"],
    to: "SKIPPED",
    set: [Prisma.sql`"finishedAt" = ${now}`],
    reason,
  });
}

/** QUEUED | WAITING → FAILED without running: its `if` could not be evaluated, or no pool serves it. */
export function failUnstartedJob(sql: SqlRunner, ctx: TenantContext, jobId: string, reason: string) {
  return conditionalTransition<RunStatus>(sql, ctx, {
    entity: "JobRun",
    id: jobId,
    from: ["QUEUED", "WAITING"],
    to: "FAILED",
    set: [Prisma.sql`"finishedAt" = ${now}`, Prisma.sql`"failureKind" = 'USER'`, Prisma.sql`"failureReason" = ${reason}`],
    reason,
  });
}

/**
 * Any live status → CANCELED, whatever the attempt: cancellation comes from a person or the run. The job's cause
 * is CANCELLED, and so is its live attempt's: the attempt keeps running until its runner stops it and reports
 * (or its lease lapses), but it ends as cancelled, not as the platform's failure.
 */
export async function cancelJob(sql: SqlRunner, ctx: TenantContext, jobId: string, reason?: string) {
  const result = await conditionalTransition<RunStatus>(sql, ctx, {
    entity: "JobRun",
    id: jobId,
    from: ["QUEUED", "WAITING", "RUNNING"],
    to: "CANCELED",
    set: [Prisma.sql`"finishedAt" = ${now}`, Prisma.sql`"failureKind" = 'CANCELLED'`, Prisma.sql`"failureReason" = ${reason ?? null}`],
    reason,
  });
  if (result.changed && result.from === "RUNNING") {
    await sql.$queryRaw`
      UPDATE "JobAttempt" SET "failureKind" = 'CANCELLED', "failureReason" = ${reason ?? null}
      WHERE "jobRunId" = ${jobId} AND "tenantId" = ${ctx.tenantId} AND "status" IN ('ASSIGNED', 'RUNNING')
      RETURNING "id"`;
  }
  return result;
}

/**
 * A QUEUED job's `continue-on-error` written as an expression (`${{ inputs.allow-failure }}`), evaluated when its
 * needs were met. Not a transition: the job stays QUEUED; a job no longer QUEUED keeps the value it started with.
 */
export async function setJobContinueOnError(sql: SqlRunner, ctx: TenantContext, jobId: string, continueOnError: boolean): Promise<boolean> {
  const rows = await sql.$queryRaw<{ id: string }[]>`
    UPDATE "JobRun" SET "continueOnError" = ${continueOnError}
    WHERE "id" = ${jobId} AND "tenantId" = ${ctx.tenantId} AND "status" = 'QUEUED'
    RETURNING "id"`;
  return rows.length > 0;
}
