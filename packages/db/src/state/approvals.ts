// Deployment approvals (an environment's required reviewers): PENDING → APPROVED | REJECTED | EXPIRED, once.
// One approval per (job, environment, run attempt), created when the job first reaches the environment's gate in
// that run attempt (a re-run asks the reviewers again; docs/architecture.md#re-runs); every decision
// is a conditional transition with history, so a second click, a late decision after expiry, or an expiry racing
// a decision changes nothing twice.
import { Prisma } from "../generated/prisma/client";
import type { ApprovalStatus } from "../generated/prisma/enums";
import { deterministicId } from "../ids";
import type { TenantContext } from "../tenant-scope";
import { conditionalTransition, type SqlRunner } from "./conditional-update";

/** The first run attempt's id is the one approvals always had; a re-run's names its run attempt. */
export const approvalId = (jobRunId: string, environmentId: string, runAttempt = 1) =>
  runAttempt > 1 ? deterministicId("apr", jobRunId, environmentId, runAttempt) : deterministicId("apr", jobRunId, environmentId);

/** Creates the job's PENDING approval for the environment in its current run attempt unless it exists; returns it as it is now. */
export async function requestApproval(sql: SqlRunner, ctx: TenantContext, input: { jobRunId: string; environmentId: string; expiresAt: Date }) {
  // A job's run attempt changes only by a re-run of its ended run, never while it waits at a gate.
  const job = await sql.$queryRaw<{ runAttempt: number }[]>`SELECT "runAttempt" FROM "JobRun" WHERE "id" = ${input.jobRunId} AND "tenantId" = ${ctx.tenantId}`;
  const runAttempt = job[0]?.runAttempt ?? 1;
  const id = approvalId(input.jobRunId, input.environmentId, runAttempt);
  await sql.$queryRaw`
    INSERT INTO "Approval" ("id", "tenantId", "jobRunId", "environmentId", "status", "expiresAt", "runAttempt")
    SELECT ${id}, ${ctx.tenantId}, j."id", ${input.environmentId}, 'PENDING', ${input.expiresAt}, ${runAttempt}
    FROM "JobRun" j WHERE j."id" = ${input.jobRunId} AND j."tenantId" = ${ctx.tenantId}
    ON CONFLICT ("jobRunId", "environmentId", "runAttempt") DO NOTHING`;
  const rows = await sql.$queryRaw<{ id: string; status: ApprovalStatus; expiresAt: Date; decidedById: string | null; comment: string | null }[]>`
    SELECT "id", "status"::text AS "status", "expiresAt", "decidedById", "comment" FROM "Approval" WHERE "id" = ${id} AND "tenantId" = ${ctx.tenantId}`;
  const row = rows[0];
  if (!row) throw new Error(`job ${input.jobRunId} does not exist in tenant ${ctx.tenantId}`);
  return row;
}

/** PENDING → APPROVED | REJECTED by a reviewer, only before it expires. */
export function decideApproval(sql: SqlRunner, ctx: TenantContext, id: string, decision: { status: "APPROVED" | "REJECTED"; userId: string; comment?: string }) {
  return conditionalTransition<ApprovalStatus>(sql, ctx, {
    entity: "Approval",
    id,
    from: ["PENDING"],
    to: decision.status,
    set: [Prisma.sql`"decidedById" = ${decision.userId}`, Prisma.sql`"decidedAt" = now()`, Prisma.sql`"comment" = ${decision.comment ?? null}`],
    where: [Prisma.sql`t."expiresAt" > now()`],
    reason: `${decision.status.toLowerCase()} by ${decision.userId}`,
  });
}

/** PENDING → EXPIRED once its time has passed (the approval timer, or any gate check that finds it due). */
export function expireApproval(sql: SqlRunner, ctx: TenantContext, id: string) {
  return conditionalTransition<ApprovalStatus>(sql, ctx, {
    entity: "Approval",
    id,
    from: ["PENDING"],
    to: "EXPIRED",
    set: [Prisma.sql`"decidedAt" = now()`],
    where: [Prisma.sql`t."expiresAt" <= now()`],
    reason: "no reviewer decided in time",
  });
}
