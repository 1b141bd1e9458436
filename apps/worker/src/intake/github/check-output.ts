// What a finished job shows on its GitHub check run: the job summary (GITHUB_STEP_SUMMARY of each step of its
// latest attempt, in order) and the steps' `::error|warning|notice file=,line=::` lines as annotations. Lines
// without a file cannot be placed in a file, so they are listed in the summary instead.
import type { CheckAnnotation, JobStatus } from "@gantry/github";
import { statusWord } from "@gantry/workflow-schema/status-words";
import { z } from "zod";

/** What the runner stores per step (StepRun.annotations). */
const stepAnnotations = z.array(
  z.object({
    level: z.enum(["error", "warning", "notice"]),
    message: z.string(),
    file: z.string().min(1).optional(),
    line: z.number().int().optional(),
    col: z.number().int().optional(),
  }),
);

/** GitHub's limit on a check run's summary. */
const MAX_SUMMARY = 65_535;

const LEVEL: Record<"error" | "warning" | "notice", CheckAnnotation["annotation_level"]> = { error: "failure", warning: "warning", notice: "notice" };

/** "Succeeded", "Queued" (ready for a runner), "Waiting" (held by its needs): the dashboard's words, capitalised. */
const verdict = (status: JobStatus): string => {
  const { word } = statusWord("job", status);
  return word.charAt(0).toUpperCase() + word.slice(1);
};

export interface JobForOutput {
  status: JobStatus;
  failureReason: string | null;
  steps: { name: string; summary: string | null; annotations: unknown }[];
}

export function jobCheckOutput(job: JobForOutput): { title: string; summary: string; annotations: CheckAnnotation[] } {
  const annotations: CheckAnnotation[] = [];
  const unplaced: string[] = [];
  for (const step of job.steps) {
    const parsed = stepAnnotations.safeParse(step.annotations ?? []);
    for (const note of parsed.success ? parsed.data : []) {
      if (!note.file) {
        unplaced.push(`- **${note.level}** (${step.name}): ${note.message}`);
        continue;
      }
      const line = Math.max(1, note.line ?? 1);
      annotations.push({
        path: note.file,
        start_line: line,
        end_line: line,
        ...(note.col !== undefined && note.col > 0 ? { start_column: note.col } : {}),
        annotation_level: LEVEL[note.level],
        message: note.message,
      });
    }
  }
  const summaries = job.steps.map((step) => step.summary?.trim() ?? "").filter((summary) => summary !== "");
  const parts = [
    ...(job.failureReason ? [`${verdict(job.status)}: ${job.failureReason}`] : []),
    ...summaries,
    ...(unplaced.length > 0 ? [unplaced.join("\n")] : []),
  ];
  let summary = parts.length > 0 ? parts.join("\n\n") : `${verdict(job.status)}.`;
  if (summary.length > MAX_SUMMARY) summary = `${summary.slice(0, MAX_SUMMARY - 40)}\n\n… (summary truncated)`;
  return { title: verdict(job.status), summary, annotations };
}
