// Everything a run wants a person to look at, with where: the workflow's validation errors and warnings from intake
// (script injection among them) and the errors, warnings and notices its steps printed (`::error file=,line=::`),
// from each job's latest attempt, in job and step order. Each names its file and line when it has them.
import { attemptId as attemptIdOf, intake } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { storedAnnotations } from "../../annotations/stored-annotations";
import type { TenantProcedureContext } from "../../trpc";
import type { ListAnnotationsInput } from "./list.schema";

const level = z.enum(["error", "warning", "notice"]).catch("notice");
type Level = z.infer<typeof level>;

export interface RunAnnotation {
  /** `workflow`: found by validation at intake; `step`: printed by a step. */
  source: "workflow" | "step";
  level: Level;
  message: string;
  title: string | null;
  file: string | null;
  line: number | null;
  col: number | null;
  /** workflow: the rule that found it (e.g. `script-injection`). */
  code: string | null;
  /** step: where it was printed. */
  job: { key: string; attempt: number; stepIndex: number; stepName: string } | null;
}

export async function listAnnotationsHandler({ ctx, input }: { ctx: TenantProcedureContext; input: ListAnnotationsInput }) {
  const run = await ctx.db.workflowRun.findUnique({
    where: { id: input.runId },
    select: { errors: true, warnings: true, jobs: { where: { attempt: { gt: 0 } }, orderBy: [{ createdAt: "asc" }, { key: "asc" }], select: { id: true, key: true, attempt: true } } },
  });
  if (!run) throw new TRPCError({ code: "NOT_FOUND", message: `No run ${input.runId} in ${ctx.tenant.slug}.` });
  const fromWorkflow = [...intake.readDiagnostics(run.errors), ...intake.readDiagnostics(run.warnings)].map(
    (diagnostic): RunAnnotation => ({ source: "workflow", level: diagnostic.severity, message: diagnostic.message, title: null, file: diagnostic.file, line: diagnostic.line, col: diagnostic.col, code: diagnostic.code, job: null }),
  );
  const attempts = new Map(run.jobs.map((job) => [attemptIdOf(job.id, job.attempt), job]));
  const steps = attempts.size === 0 ? [] : await ctx.db.stepRun.findMany({ where: { attemptId: { in: [...attempts.keys()] } }, select: { attemptId: true, index: true, name: true, annotations: true } });
  const jobOrder = new Map([...attempts.keys()].map((id, order) => [id, order]));
  steps.sort((a, b) => (jobOrder.get(a.attemptId) ?? 0) - (jobOrder.get(b.attemptId) ?? 0) || a.index - b.index);
  const fromSteps = steps.flatMap((step) => {
    const job = attempts.get(step.attemptId);
    if (!job) return [];
    return storedAnnotations.parse(step.annotations ?? []).map(
      (annotation): RunAnnotation => ({
        source: "step",
        level: level.parse(annotation.level),
        message: annotation.message,
        title: annotation.title ?? null,
        file: annotation.file ?? null,
        line: annotation.line ?? null,
        col: annotation.col ?? null,
        code: null,
        job: { key: job.key, attempt: job.attempt, stepIndex: step.index, stepName: step.name },
      }),
    );
  });
  const annotations = [...fromWorkflow, ...fromSteps];
  const count = (which: Level) => annotations.filter((annotation) => annotation.level === which).length;
  return { annotations, counts: { error: count("error"), warning: count("warning"), notice: count("notice") } };
}
