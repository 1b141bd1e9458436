import type { TenantProcedureContext } from "../../trpc";
import type { PendingApprovalsInput } from "./pending.schema";
import { mayReview, reviewerOf, reviewRuleOf, selfReviewBlocked } from "./reviewers";
import { approvalProgress, voterNames } from "./votes";

/**
 * The tenant's inbox: every deployment awaiting review (pending, not expired, its job still held), oldest first,
 * with its run, its approvals so far and whether the caller may decide it (approvals.decide checks that again).
 */
export async function pendingApprovalsHandler({ ctx }: { ctx: TenantProcedureContext; input: PendingApprovalsInput }) {
  const now = ctx.now();
  const approvals = await ctx.db.approval.findMany({
    where: { status: "PENDING", expiresAt: { gt: now }, job: { status: "QUEUED" } },
    include: {
      job: { select: { key: true, name: true, run: { select: { id: true, runNumber: true, workflowName: true, ref: true, sha: true, triggeredBy: true, repository: { select: { fullName: true } } } } } },
      environment: { select: { name: true, rules: { select: { kind: true, config: true } } } },
      votes: { select: { userId: true, decision: true }, orderBy: { createdAt: "asc" } },
    },
    orderBy: { createdAt: "asc" },
    take: 200,
  });
  const reviewer = await reviewerOf(ctx);
  const names = await voterNames(ctx, approvals.flatMap((approval) => approval.votes));
  return approvals.map((approval) => {
    const rule = reviewRuleOf(approval.environment.rules);
    const { run } = approval.job;
    const voted = approval.votes.some((vote) => vote.userId === ctx.session.userId);
    const canDecide = !voted && mayReview(rule, reviewer);
    return {
      id: approval.id,
      environment: approval.environment.name,
      job: { key: approval.job.key, name: approval.job.name },
      run: { id: run.id, number: run.runNumber, workflow: run.workflowName, ref: run.ref, sha: run.sha, repository: run.repository.fullName },
      ...approvalProgress(approval.votes, rule.requiredApprovals, names),
      requestedAt: approval.createdAt.toISOString(),
      expiresAt: approval.expiresAt.toISOString(),
      canDecide,
      canApprove: canDecide && !selfReviewBlocked(rule, reviewer, run),
      voted,
    };
  });
}
