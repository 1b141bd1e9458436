import { attemptId as attemptIdOf } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { storedAnnotations } from "../../annotations/stored-annotations";
import { readAttemptLog } from "../../logs/read-attempt-log";
import { getServices } from "../../services";
import { DirectoryObjectStore } from "@gantry/storage";
import type { TenantProcedureContext } from "../../trpc";
import type { RunLogsInput } from "./logs.schema";

const storedOutputs = z.record(z.string(), z.string()).catch({});

/**
 * One job attempt's steps (status, outputs, summary, annotations) and its archived log text, in order; `job` says
 * where the job is now (its status and latest attempt) and which live stream it writes, for the live log view.
 */
export async function runLogsHandler({ ctx, input }: { ctx: TenantProcedureContext; input: RunLogsInput }) {
  const found = await ctx.db.jobRun.findFirst({ where: { runId: input.runId, key: input.jobKey }, select: { id: true, attempt: true, status: true } });
  if (!found) throw new TRPCError({ code: "NOT_FOUND", message: `Run ${input.runId} has no job ${JSON.stringify(input.jobKey)} in ${ctx.tenant.slug}.` });
  const job = { ...found, tenantId: ctx.tenant.id };
  const attempt = input.attempt ?? job.attempt;
  if (attempt === 0) return { job, attempt: 0, steps: [], chunks: [], text: "", nextSeq: 0 };
  if (attempt > job.attempt) throw new TRPCError({ code: "NOT_FOUND", message: `Job ${JSON.stringify(input.jobKey)} has no attempt ${attempt} (it has ${job.attempt}).` });
  const id = attemptIdOf(job.id, attempt);
  const steps = await ctx.db.stepRun.findMany({ where: { attemptId: id }, orderBy: { index: "asc" } });
  const log = await readAttemptLog(ctx.db, new DirectoryObjectStore(getServices().env.storageDir), id, input.fromSeq);
  return {
    job,
    attempt,
    steps: steps.map((step) => ({
      index: step.index,
      stepId: step.stepId,
      name: step.name,
      status: step.status,
      /** A remote action step: the commit its `uses:` ref resolved to (docs/actions.md). */
      actionSha: step.actionSha,
      outputs: storedOutputs.parse(step.outputs ?? {}),
      summary: step.summary,
      annotations: storedAnnotations.parse(step.annotations ?? []),
      startedAt: step.startedAt?.toISOString() ?? null,
      finishedAt: step.finishedAt?.toISOString() ?? null,
    })),
    chunks: log.chunks,
    text: log.chunks.map((chunk) => chunk.text).join(""),
    nextSeq: log.nextSeq,
  };
}
