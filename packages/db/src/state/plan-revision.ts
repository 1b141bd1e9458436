// The one way the worker changes a run's stored plan after intake (a call's jobs, a dynamic matrix's cells).
import type { Prisma } from "../generated/prisma/client";
import { asJson } from "../intake/create-run";
import type { TenantContext } from "../tenant-scope";

/**
 * The run's stored plan, read under the run row's lock, with the jobs `revise` gives it: two expansions in one
 * pass (two calls, two dynamic matrices) each revise the plan the other left, so neither undoes the other.
 */
export async function revisePlan(tx: Prisma.TransactionClient, ctx: TenantContext, runId: string, revise: (plan: unknown) => object): Promise<void> {
  const rows = await tx.$queryRaw<{ plan: unknown }[]>`SELECT "plan" FROM "WorkflowRun" WHERE "id" = ${runId} AND "tenantId" = ${ctx.tenantId} FOR UPDATE`;
  if (rows.length === 0) throw new Error(`run ${runId} does not exist`);
  await tx.workflowRun.updateMany({ where: { id: runId, tenantId: ctx.tenantId }, data: { plan: asJson(revise(rows[0]?.plan)) } });
}
