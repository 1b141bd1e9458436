import type { TenantProcedureContext } from "../../trpc";
import type { ListApprovalsInput } from "./list.schema";
import { mayReview, reviewerOf, reviewRuleOf, selfReviewBlocked } from "./reviewers";
import { approvalProgress, voterNames } from "./votes";

/** A run's deployment approvals (every status), each with its approvals so far and whether the caller may decide it now. */
export async function listApprovalsHandler({ ctx, input }: { ctx: TenantProcedureContext; input: ListApprovalsInput }) {
  const approvals = await ctx.db.approval.findMany({
    where: { job: { runId: input.runId } },
    include: {
      job: { select: { key: true, name: true, status: true, run: { select: { triggeredBy: true } } } },
      environment: { select: { name: true, rules: { select: { kind: true, config: true } } } },
      votes: { select: { userId: true, decision: true }, orderBy: { createdAt: "asc" } },
    },
    orderBy: { createdAt: "asc" },
  });
  const now = ctx.now();
  const reviewer = await reviewerOf(ctx);
  const names = await voterNames(ctx, approvals.flatMap((approval) => approval.votes));
  return approvals.map((approval) => {
    const rule = reviewRuleOf(approval.environment.rules);
    const open = approval.status === "PENDING" && approval.expiresAt > now && approval.job.status === "QUEUED";
    const voted = approval.votes.some((vote) => vote.userId === ctx.session.userId);
    const canDecide = open && !voted && mayReview(rule, reviewer);
    return {
      id: approval.id,
      job: { key: approval.job.key, name: approval.job.name },
      environment: approval.environment.name,
      status: approval.status,
      reviewers: rule.reviewers,
      reviewerRoles: rule.reviewerRoles,
      ...approvalProgress(approval.votes, rule.requiredApprovals, names),
      expiresAt: approval.expiresAt.toISOString(),
      decidedById: approval.decidedById,
      comment: approval.comment,
      canDecide,
      canApprove: canDecide && !selfReviewBlocked(rule, reviewer, approval.job.run),
    };
  });
}
