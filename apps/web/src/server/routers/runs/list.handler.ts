import { isAwaitingApproval } from "@gantry/db";
import type { TenantProcedureContext } from "../../trpc";
import type { ListRunsInput } from "./list.schema";

/** The tenant's most recent workflow runs, newest first; of one repository and in one status when asked. */
export async function listRunsHandler({ ctx, input }: { ctx: TenantProcedureContext; input: ListRunsInput }) {
  const runs = await ctx.db.workflowRun.findMany({
    where: { ...(input.repository ? { repository: { fullName: input.repository } } : {}), ...(input.status ? { status: input.status } : {}) },
    orderBy: { createdAt: "desc" },
    take: input.limit,
    select: {
      id: true,
      runNumber: true,
      workflowName: true,
      workflowPath: true,
      event: true,
      ref: true,
      sha: true,
      status: true,
      approvalRequired: true,
      approvedAt: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      repository: { select: { fullName: true } },
    },
  });
  return runs.map(({ repository, createdAt, startedAt, finishedAt, approvalRequired, approvedAt, ...run }) => ({
    ...run,
    /** A fork's pull request run held for a maintainer's approval (WAITING until approved or cancelled). */
    awaitingApproval: isAwaitingApproval({ status: run.status, approvalRequired, approvedAt }),
    repository: repository.fullName,
    createdAt: createdAt.toISOString(),
    startedAt: startedAt?.toISOString() ?? null,
    finishedAt: finishedAt?.toISOString() ?? null,
  }));
}
