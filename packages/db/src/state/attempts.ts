// Attempt transitions: ASSIGNED → RUNNING → terminal | LOST (DESIGN.md invariant 3 and 5).
import { Prisma } from "../generated/prisma/client";
import type { FailureKind } from "../generated/prisma/enums";
import type { TenantContext } from "../tenant-scope";
import { conditionalTransition, type SqlRunner } from "./conditional-update";
import { outputsSet } from "./outputs-set";
import type { AttemptConclusion, AttemptStatus } from "./statuses";

const now = Prisma.sql`now()`;
const leaseLive = Prisma.sql`t."leaseExpiresAt" > now()`;

/** ASSIGNED → RUNNING: the runner started the sandbox. Only while the lease is live. */
export function markAttemptRunning(sql: SqlRunner, ctx: TenantContext, attemptId: string) {
  return conditionalTransition<AttemptStatus>(sql, ctx, {
    entity: "JobAttempt",
    id: attemptId,
    from: ["ASSIGNED"],
    to: "RUNNING",
    set: [Prisma.sql`"startedAt" = ${now}`],
    where: [leaseLive],
  });
}

/** ASSIGNED | RUNNING → a conclusion, while the lease is live: a lost attempt's late report changes nothing. */
export function finishAttempt(
  sql: SqlRunner,
  ctx: TenantContext,
  attemptId: string,
  conclusion: AttemptConclusion,
  failure?: { kind: FailureKind; reason: string },
  /** The job's outputs as this attempt reported them, written in the same statement (none: left as they are). */
  outputs?: Record<string, string>,
) {
  return conditionalTransition<AttemptStatus>(sql, ctx, {
    entity: "JobAttempt",
    id: attemptId,
    from: ["ASSIGNED", "RUNNING"],
    to: conclusion,
    set: [
      Prisma.sql`"finishedAt" = ${now}`,
      Prisma.sql`"failureKind" = ${failure?.kind ?? null}::"FailureKind"`,
      Prisma.sql`"failureReason" = ${failure?.reason ?? null}`,
      ...outputsSet(outputs),
    ],
    where: [leaseLive],
    reason: failure?.reason,
  });
}

/**
 * ASSIGNED | RUNNING whose lease lapsed → LOST, an infrastructure failure, unless its job was cancelled meanwhile
 * (cancelJob marked it CANCELLED: its runner just never reported). The reaper calls this; a renewed lease makes it a no-op.
 */
/** `at`: the reaper's "now" (its clock; a test's moved clock); the lease must have lapsed by then. Default: the database's now(). */
export function markAttemptLost(sql: SqlRunner, ctx: TenantContext, attemptId: string, reason = "lease expired", at?: Date) {
  return conditionalTransition<AttemptStatus>(sql, ctx, {
    entity: "JobAttempt",
    id: attemptId,
    from: ["ASSIGNED", "RUNNING"],
    to: "LOST",
    set: [
      Prisma.sql`"finishedAt" = ${now}`,
      Prisma.sql`"failureKind" = CASE WHEN t."failureKind" = 'CANCELLED' THEN 'CANCELLED'::"FailureKind" ELSE 'INFRASTRUCTURE'::"FailureKind" END`,
      Prisma.sql`"failureReason" = CASE WHEN t."failureKind" = 'CANCELLED' THEN t."failureReason" ELSE ${reason} END`,
    ],
    where: [Prisma.sql`t."leaseExpiresAt" <= ${at ?? now}`],
    reason,
  });
}

/** Extends a live lease; not a status change, so no history row. false: the lease already lapsed or the attempt ended. */
export async function renewLease(sql: SqlRunner, ctx: TenantContext, attemptId: string, leaseMs: number): Promise<boolean> {
  const rows = await sql.$queryRaw<{ id: string }[]>`
    UPDATE "JobAttempt" AS t SET "leaseExpiresAt" = now() + make_interval(secs => ${leaseMs / 1000})
    WHERE t."id" = ${attemptId} AND t."tenantId" = ${ctx.tenantId}
      AND t."status" IN ('ASSIGNED', 'RUNNING') AND ${leaseLive}
    RETURNING t."id"`;
  return rows.length === 1;
}
