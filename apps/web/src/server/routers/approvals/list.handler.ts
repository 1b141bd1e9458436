import type { TenantProcedureContext } from "../../trpc";
import type { ListApprovalsInput } from "./list.schema";
import { mayReview, reviewersOf } from "./reviewers";

/** A run's deployment approvals (every status), each with whether the caller may decide it now. */
export async function listApprovalsHandler({ ctx, input }: { ctx: TenantProcedureContext; input: ListApprovalsInput }) {
  const approvals = await ctx.db.approval.findMany({
    where: { job: { runId: input.runId } },
    include: { job: { select: { key: true, name: true, status: true } }, environment: { select: { name: true, rules: { select: { kind: true, config: true } } } } },
    orderBy: { createdAt: "asc" },
  });
  const now = ctx.now();
  return approvals.map((approval) => {
    const reviewers = reviewersOf(approval.environment.rules);
    const open = approval.status === "PENDING" && approval.expiresAt > now && approval.job.status === "QUEUED";
    return {
      id: approval.id,
      job: { key: approval.job.key, name: approval.job.name },
      environment: approval.environment.name,
      status: approval.status,
      reviewers,
      expiresAt: approval.expiresAt.toISOString(),
      decidedById: approval.decidedById,
      comment: approval.comment,
      canDecide: open && mayReview(reviewers, { userId: ctx.session.userId, role: ctx.role }),
    };
  });
}
