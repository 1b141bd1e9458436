// What a run keeps of its workflow's validation: the errors that refuse it (an invalid workflow's FAILED run shows
// them) and every warning, so a finding such as script injection is seen on the run page and on GitHub instead of
// being dropped with the rest of the compile result.
import type { intake } from "@gantry/db";
import type { WorkflowError } from "@gantry/workflow-schema";

type WorkflowDiagnostic = intake.WorkflowDiagnostic;

const copy = ({ file, line, col, code, message, severity }: WorkflowError): WorkflowDiagnostic => ({ file, line, col, code, message, severity });

export function splitDiagnostics(diagnostics: readonly WorkflowError[]): { errors: WorkflowDiagnostic[]; warnings: WorkflowDiagnostic[] } {
  return {
    errors: diagnostics.filter((diagnostic) => diagnostic.severity === "error").map(copy),
    warnings: diagnostics.filter((diagnostic) => diagnostic.severity === "warning").map(copy),
  };
}
