// What the workflow's own check run shows (the check named after the workflow, external_id = the run id): for an
// invalid workflow its errors, for a valid one its validation warnings (script injection, …). Each diagnostic is a
// line of the summary (`file:line:col: message [code]`) and an annotation at its position; the warnings of a
// valid run make the check `neutral`, so they are seen without failing anything.
import type { intake } from "@gantry/db";
import type { CheckAnnotation } from "@gantry/github";

type WorkflowDiagnostic = intake.WorkflowDiagnostic;

export interface WorkflowCheckOutput {
  title: string;
  summary: string;
  annotations: CheckAnnotation[];
}

const LEVEL: Record<WorkflowDiagnostic["severity"], CheckAnnotation["annotation_level"]> = { error: "failure", warning: "warning" };

/** `file:line:col: message [code]`, as the compiler's human format. */
const summaryLine = (diagnostic: WorkflowDiagnostic) => `${diagnostic.file}:${diagnostic.line}:${diagnostic.col}: ${diagnostic.message} [${diagnostic.code}]`;

/** One annotation at the diagnostic's line (0 means the whole file: GitHub wants a line, so its first). */
function annotationOf(diagnostic: WorkflowDiagnostic): CheckAnnotation {
  const line = Math.max(1, diagnostic.line);
  return {
    path: diagnostic.file,
    start_line: line,
    end_line: line,
    // GitHub takes columns only on a one-line annotation, which this always is.
    ...(diagnostic.col > 0 ? { start_column: diagnostic.col, end_column: diagnostic.col } : {}),
    annotation_level: LEVEL[diagnostic.severity],
    message: diagnostic.message,
    title: diagnostic.code,
  };
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** The failed check of an invalid workflow: every error, then the warnings found with them. */
export function invalidWorkflowOutput(errors: readonly WorkflowDiagnostic[], warnings: readonly WorkflowDiagnostic[]): WorkflowCheckOutput {
  const all = [...errors, ...warnings];
  return {
    title: "Invalid workflow",
    summary: errors.length > 0 ? all.map(summaryLine).join("\n") : "The workflow file is not valid.",
    annotations: all.map(annotationOf),
  };
}

/** The neutral check of a valid workflow that has warnings; null when there are none (no check is made). */
export function workflowWarningsOutput(warnings: readonly WorkflowDiagnostic[]): WorkflowCheckOutput | null {
  if (warnings.length === 0) return null;
  return {
    title: plural(warnings.length, "workflow warning"),
    summary: warnings.map(summaryLine).join("\n"),
    annotations: warnings.map(annotationOf),
  };
}
