// A job whose matrix is built from `${{ }}` (a need's outputs, the inputs) is planned as one placeholder: only
// when its needs are done can the worker know the cells. Expanding it is one transaction — the placeholder
// QUEUED → SKIPPED ("expanded into N matrix cells"), one QUEUED JobRun per cell, the dependents' needs pointing at
// the cells, and the run's stored plan revised the same way (under the run row's lock) — conditional on the
// placeholder still being QUEUED, so two workers expanding at once make one set of cells.
import { Prisma } from "../generated/prisma/client";
import type { RawPrismaClient } from "../client";
import { jobRunId } from "../ids";
import { jobRunRow, type PlannedJobRow } from "../intake/create-run";
import type { TenantContext } from "../tenant-scope";
import { conditionalTransition } from "./conditional-update";
import { revisePlan } from "./plan-revision";
import type { RunStatus } from "./statuses";

export interface MatrixExpansion {
  runId: string;
  /** The placeholder job's id. */
  jobId: string;
  /** The planned cells (needs as plan keys, like every planned job). */
  cells: PlannedJobRow[];
  /** The stored plan after expansion: the cells in place of the placeholder, dependents needing the cells. */
  revisePlan: (plan: unknown) => object;
}

export async function expandMatrixJob(prisma: RawPrismaClient, ctx: TenantContext, expansion: MatrixExpansion): Promise<{ changed: boolean; cellIds: string[] }> {
  const cellIds = expansion.cells.map((cell) => jobRunId(expansion.runId, cell.key));
  return prisma.$transaction(async (tx) => {
    const skipped = await conditionalTransition<RunStatus>(tx, ctx, {
      entity: "JobRun",
      id: expansion.jobId,
      from: ["QUEUED"],
      to: "SKIPPED",
      set: [Prisma.sql`"finishedAt" = now()`],
      reason: `expanded into ${cellIds.length} matrix cell(s)`,
    });
    if (!skipped.changed) return { changed: false, cellIds: [] };
    // Cells of a called workflow's job stay its call's (callerId) and keep the call's inputs.
    const placeholder = await tx.jobRun.findFirstOrThrow({ where: { id: expansion.jobId, tenantId: ctx.tenantId }, select: { priority: true, callerId: true, inputs: true } });
    const inherited = { priority: placeholder.priority, callerId: placeholder.callerId, inputs: placeholder.inputs ?? Prisma.DbNull };
    await tx.jobRun.createMany({ data: expansion.cells.map((cell) => ({ ...jobRunRow(ctx, expansion.runId, cell), ...inherited })) });
    await tx.$executeRaw`
      UPDATE "JobRun" SET "needs" = array_cat(array_remove("needs", ${expansion.jobId}), ${cellIds}::text[])
      WHERE "runId" = ${expansion.runId} AND "tenantId" = ${ctx.tenantId} AND ${expansion.jobId} = ANY("needs")`;
    await revisePlan(tx, ctx, expansion.runId, expansion.revisePlan);
    return { changed: true, cellIds };
  });
}
