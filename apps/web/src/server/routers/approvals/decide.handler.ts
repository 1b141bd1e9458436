import { transitions } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { DecideApprovalInput } from "./decide.schema";
import { mayReview, reviewersOf } from "./reviewers";

/**
 * Approves or rejects a pending deployment, once: the decision is a conditional transition (a second click, or a
 * decision after expiry, is a CONFLICT that changes nothing), audited, and the worker is asked to advance the run.
 */
export async function decideApprovalHandler({ ctx, input }: { ctx: TenantProcedureContext; input: DecideApprovalInput }) {
  const approval = await ctx.db.approval.findFirst({
    where: { id: input.approvalId },
    include: { job: { select: { runId: true } }, environment: { select: { name: true, rules: { select: { kind: true, config: true } } } } },
  });
  if (!approval) throw new TRPCError({ code: "NOT_FOUND", message: `Approval ${input.approvalId} does not exist in ${ctx.tenant.slug}.` });
  const reviewers = reviewersOf(approval.environment.rules);
  if (!mayReview(reviewers, { userId: ctx.session.userId, role: ctx.role })) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: reviewers.length > 0 ? `Only the reviewers of environment ${approval.environment.name} may decide this deployment.` : `Deciding a deployment to ${approval.environment.name} needs the maintainer role.`,
    });
  }
  const tenantCtx = { tenantId: ctx.tenant.id, actor: { kind: "USER" as const, id: ctx.session.userId } };
  const status = input.decision === "approve" ? "APPROVED" : "REJECTED";
  const decided = await transitions.decideApproval(ctx.database.system("approval decision (tenant checked above)"), tenantCtx, approval.id, {
    status,
    userId: ctx.session.userId,
    ...(input.comment ? { comment: input.comment } : {}),
  });
  if (!decided.changed) {
    const current = await ctx.db.approval.findFirstOrThrow({ where: { id: approval.id }, select: { status: true } });
    throw new TRPCError({ code: "CONFLICT", message: current.status === "PENDING" ? "This approval has expired." : `This deployment was already ${current.status.toLowerCase()}.` });
  }
  await ctx.db.auditEvent.create({
    data: {
      tenantId: ctx.tenant.id,
      actorKind: "USER",
      actorId: ctx.session.userId,
      action: `deployment.${input.decision}`,
      targetType: "Approval",
      targetId: approval.id,
      data: { environment: approval.environment.name, runId: approval.job.runId, ...(input.comment ? { comment: input.comment } : {}) },
    },
  });
  await ctx.queues.add("advance-run", { tenantId: ctx.tenant.id, runId: approval.job.runId }, `advance-${approval.id}-${status}`);
  return { id: approval.id, status };
}
