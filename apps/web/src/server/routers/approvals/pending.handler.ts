import type { TenantProcedureContext } from "../../trpc";
import type { PendingApprovalsInput } from "./pending.schema";
import { mayReview, reviewersOf } from "./reviewers";

/**
 * The tenant's inbox: every deployment awaiting review (pending, not expired, its job still held), oldest first,
 * with its run and whether the caller may decide it (approvals.decide checks that again).
 */
export async function pendingApprovalsHandler({ ctx }: { ctx: TenantProcedureContext; input: PendingApprovalsInput }) {
  const now = ctx.now();
  const approvals = await ctx.db.approval.findMany({
    where: { status: "PENDING", expiresAt: { gt: now }, job: { status: "QUEUED" } },
    include: {
      job: { select: { key: true, name: true, run: { select: { id: true, runNumber: true, workflowName: true, ref: true, sha: true, repository: { select: { fullName: true } } } } } },
      environment: { select: { name: true, rules: { select: { kind: true, config: true } } } },
    },
    orderBy: { createdAt: "asc" },
    take: 200,
  });
  return approvals.map((approval) => {
    const reviewers = reviewersOf(approval.environment.rules);
    const { run } = approval.job;
    return {
      id: approval.id,
      environment: approval.environment.name,
      job: { key: approval.job.key, name: approval.job.name },
      run: { id: run.id, number: run.runNumber, workflow: run.workflowName, ref: run.ref, sha: run.sha, repository: run.repository.fullName },
      requestedAt: approval.createdAt.toISOString(),
      expiresAt: approval.expiresAt.toISOString(),
      canDecide: mayReview(reviewers, { userId: ctx.session.userId, role: ctx.role }),
    };
  });
}
