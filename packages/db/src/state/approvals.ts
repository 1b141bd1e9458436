// Deployment approvals (an environment's required reviewers): PENDING → APPROVED | REJECTED | EXPIRED, once.
// Each reviewer's decision is its own ApprovalVote; the approval itself moves on the first rejection, or once the
// approvals reach the rule's requiredApprovals.
// One approval per (job, environment, run attempt), created when the job first reaches the environment's gate in
// that run attempt (a re-run asks the reviewers again; docs/architecture.md#re-runs); every decision
// is a conditional transition with history, so a second click, a late decision after expiry, or an expiry racing
// a decision changes nothing twice.
import { Prisma } from "../generated/prisma/client";
import type { ApprovalStatus } from "../generated/prisma/enums";
import type { RawPrismaClient } from "../client";
import { deterministicId, randomId } from "../ids";
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

export type VoteResult =
  /** The vote was recorded; `status` is the approval's status after it (PENDING while more approvals are needed). */
  | { outcome: "counted"; status: ApprovalStatus; approvals: number }
  /** This reviewer has already decided; nothing changed. */
  | { outcome: "duplicate" }
  /** The approval was decided or has expired (status PENDING: expired, not yet marked); nothing changed. */
  | { outcome: "closed"; status: ApprovalStatus }
  | { outcome: "missing" };

/**
 * Records one reviewer's decision and, in the same transaction with the approval row locked, rejects the approval
 * on a rejection or approves it once `requiredApprovals` have approved: two reviewers deciding at once serialize on
 * the lock, so no vote is lost and the approval moves once.
 */
export function voteOnApproval(
  prisma: RawPrismaClient,
  ctx: TenantContext,
  id: string,
  vote: { decision: "APPROVED" | "REJECTED"; userId: string; comment?: string; requiredApprovals: number },
): Promise<VoteResult> {
  return prisma.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ status: ApprovalStatus; open: boolean }[]>`
      SELECT "status"::text AS "status", "expiresAt" > now() AS "open" FROM "Approval" WHERE "id" = ${id} AND "tenantId" = ${ctx.tenantId} FOR UPDATE`;
    const row = locked[0];
    if (!row) return { outcome: "missing" };
    if (row.status !== "PENDING" || !row.open) return { outcome: "closed", status: row.status };
    const inserted = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO "ApprovalVote" ("id", "tenantId", "approvalId", "userId", "decision", "comment")
      VALUES (${randomId("vote")}, ${ctx.tenantId}, ${id}, ${vote.userId}, ${vote.decision}::"ApprovalDecision", ${vote.comment ?? null})
      ON CONFLICT ("approvalId", "userId") DO NOTHING RETURNING "id"`;
    if (inserted.length === 0) return { outcome: "duplicate" };
    const counted = await tx.$queryRaw<{ approvals: number }[]>`
      SELECT count(*)::int AS "approvals" FROM "ApprovalVote" WHERE "approvalId" = ${id} AND "decision" = 'APPROVED'`;
    const approvals = counted[0]?.approvals ?? 0;
    const to = vote.decision === "REJECTED" ? "REJECTED" : approvals >= vote.requiredApprovals ? "APPROVED" : null;
    if (!to) return { outcome: "counted", status: "PENDING", approvals };
    const decided = await decideApproval(tx, ctx, id, { status: to, userId: vote.userId, ...(vote.comment ? { comment: vote.comment } : {}) });
    // The row is locked, PENDING and unexpired in this transaction: the transition cannot miss.
    if (!decided.changed) throw new Error(`approval ${id} did not move to ${to} under its own lock`);
    return { outcome: "counted", status: to, approvals };
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
