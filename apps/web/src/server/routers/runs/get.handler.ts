import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { TenantProcedureContext } from "../../trpc";
import type { GetRunInput } from "./get.schema";

// Validation errors are stored as the compiler produced them; read them back defensively.
const storedErrors = z
  .array(
    z.object({
      file: z.string(),
      line: z.number(),
      col: z.number(),
      code: z.string(),
      message: z.string(),
      severity: z.string(),
    }),
  )
  .catch([]);

const storedInputs = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).catch({});

/** One run with its jobs (in plan order) and, for an invalid workflow, its validation errors. */
export async function getRunHandler({ ctx, input }: { ctx: TenantProcedureContext; input: GetRunInput }) {
  const run = await ctx.db.workflowRun.findUnique({
    where: { id: input.runId },
    include: {
      repository: { select: { fullName: true } },
      jobs: {
        orderBy: { createdAt: "asc" },
        select: { id: true, key: true, name: true, status: true, attempt: true, needs: true, failureReason: true, startedAt: true, finishedAt: true },
      },
    },
  });
  if (!run) throw new TRPCError({ code: "NOT_FOUND", message: `Run ${input.runId} does not exist in ${ctx.tenant.slug}.` });
  const keyOf = new Map(run.jobs.map((job) => [job.id, job.key]));
  return {
    id: run.id,
    runNumber: run.runNumber,
    workflowName: run.workflowName,
    workflowPath: run.workflowPath,
    repository: run.repository.fullName,
    event: run.event,
    ref: run.ref,
    sha: run.sha,
    status: run.status,
    trusted: run.trusted,
    triggeredBy: run.triggeredBy,
    /** workflow_dispatch: the typed inputs the run was started with. */
    inputs: storedInputs.parse(run.inputs ?? {}),
    createdAt: run.createdAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    errors: run.errors === null ? [] : storedErrors.parse(run.errors),
    jobs: run.jobs.map((job) => ({
      key: job.key,
      name: job.name,
      status: job.status,
      attempt: job.attempt,
      needs: job.needs.map((id) => keyOf.get(id) ?? id),
      failureReason: job.failureReason,
      startedAt: job.startedAt?.toISOString() ?? null,
      finishedAt: job.finishedAt?.toISOString() ?? null,
    })),
  };
}
