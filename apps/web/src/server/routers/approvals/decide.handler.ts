import { transitions } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { DecideApprovalInput } from "./decide.schema";
import { refusalFor, reviewerOf, reviewRuleOf } from "./reviewers";

/**
 * One reviewer's decision on a pending deployment, once: recorded as their vote, which rejects the approval or,
 * once the environment's requiredApprovals have approved, approves it (a second decision by the same reviewer, or
 * one after the approval was decided or expired, is a CONFLICT that changes nothing). Each vote is audited; the
 * worker is asked to advance the run when the approval was decided.
 */
export async function decideApprovalHandler({ ctx, input }: { ctx: TenantProcedureContext; input: DecideApprovalInput }) {
  const approval = await ctx.db.approval.findFirst({
    where: { id: input.approvalId },
    include: { job: { select: { runId: true, run: { select: { triggeredBy: true } } } }, environment: { select: { name: true, rules: { select: { kind: true, config: true } } } } },
  });
  if (!approval) throw new TRPCError({ code: "NOT_FOUND", message: `Approval ${input.approvalId} does not exist in ${ctx.tenant.slug}.` });
  const rule = reviewRuleOf(approval.environment.rules);
  const refusal = refusalFor(rule, await reviewerOf(ctx), approval.job.run, approval.environment.name, input.decision);
  if (refusal) throw new TRPCError({ code: "FORBIDDEN", message: refusal });
  const tenantCtx = { tenantId: ctx.tenant.id, actor: { kind: "USER" as const, id: ctx.session.userId } };
  const vote = await transitions.voteOnApproval(ctx.database.system("approval decision (tenant checked above)"), tenantCtx, approval.id, {
    decision: input.decision === "approve" ? "APPROVED" : "REJECTED",
    userId: ctx.session.userId,
    requiredApprovals: rule.requiredApprovals,
    ...(input.comment ? { comment: input.comment } : {}),
  });
  if (vote.outcome === "missing") throw new TRPCError({ code: "NOT_FOUND", message: `Approval ${input.approvalId} does not exist in ${ctx.tenant.slug}.` });
  if (vote.outcome === "duplicate") throw new TRPCError({ code: "CONFLICT", message: "You have already decided this deployment." });
  if (vote.outcome === "closed") throw new TRPCError({ code: "CONFLICT", message: vote.status === "PENDING" ? "This approval has expired." : `This deployment was already ${vote.status.toLowerCase()}.` });
  await ctx.db.auditEvent.create({
    data: {
      tenantId: ctx.tenant.id,
      actorKind: "USER",
      actorId: ctx.session.userId,
      action: `deployment.${input.decision}`,
      targetType: "Approval",
      targetId: approval.id,
      data: { environment: approval.environment.name, runId: approval.job.runId, approvals: vote.approvals, requiredApprovals: rule.requiredApprovals, ...(input.comment ? { comment: input.comment } : {}) },
    },
  });
  if (vote.status !== "PENDING") await ctx.queues.add("advance-run", { tenantId: ctx.tenant.id, runId: approval.job.runId }, `advance-${approval.id}-${vote.status}`);
  return { id: approval.id, status: vote.status, approvals: vote.approvals, requiredApprovals: rule.requiredApprovals };
}
