// runs.list: a page of the tenant's runs, newest first, narrowed by the run list's filters; `nextCursor` pages back
// (keyset, so runs created meanwhile never shift a page). ctx.db only reaches this tenant's rows.
import { isAwaitingApproval, listRuns, RunListCursorError } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { ListRunsInput } from "./list.schema";

export async function listRunsHandler({ ctx, input }: { ctx: TenantProcedureContext; input: ListRunsInput }) {
  const { tenant: _tenant, ...query } = input;
  let page;
  try {
    page = await listRuns(ctx.db, query);
  } catch (error) {
    if (error instanceof RunListCursorError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
    throw error;
  }
  // Dates cross tRPC as ISO strings (docs/api.md).
  return {
    runs: page.runs.map(({ createdAt, startedAt, finishedAt, approvalRequired, approvedAt, ...run }) => ({
      ...run,
      /** A fork's pull request run held for a maintainer's approval (WAITING until approved or cancelled). */
      awaitingApproval: isAwaitingApproval({ status: run.status, approvalRequired, approvedAt }),
      createdAt: createdAt.toISOString(),
      startedAt: startedAt?.toISOString() ?? null,
      finishedAt: finishedAt?.toISOString() ?? null,
    })),
    nextCursor: page.nextCursor,
  };
}
