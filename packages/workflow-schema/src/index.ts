import { compile } from "./compile/compile.js";
import { hasErrors } from "./errors.js";
import type { WorkflowError } from "./errors.js";
import type { TenantContext } from "./model.js";
import type { WorkflowPlan } from "./plan.js";
import { parseWorkflow } from "./validate.js";

export { parseWorkflow } from "./validate.js";
export { validateProject, DEFAULT_WORKFLOW_DIRS } from "./project/project.js";
export { formatErrors } from "./format.js";
export { evaluateExpression } from "./expr/evaluate.js";
export type { EvalResult, ExprFunction, JsonValue } from "./expr/evaluate.js";
export { matchTrigger } from "./triggers/match.js";
export type { TriggerEvent } from "./triggers/match.js";
export { validateDispatchInputs, eventInputs, dispatchTrigger } from "./triggers/dispatch-inputs.js";
export type { DispatchValue, DispatchInputDeclaration, DispatchInputProblem, DispatchInputsResult } from "./triggers/dispatch-inputs.js";
export { matchPatterns, validateGlob } from "./triggers/glob.js";
export { parseCron } from "./cron.js";
export { expandMatrix, cellKey, MAX_MATRIX_CELLS } from "./compile/matrix.js";
export { expandDynamicJob } from "./compile/runtime-matrix.js";
/** Compile an already validated workflow (e.g. one of `validateProject(...).workflows`). */
export { compile as compilePlan } from "./compile/compile.js";
export type { RuntimeResult } from "./compile/runtime-matrix.js";
export { sortErrors, hasErrors } from "./errors.js";
export type { WorkflowError, Pos } from "./errors.js";
export type * from "./model.js";
export type * from "./plan.js";

/** Validates and, when there is no error (warnings are fine), compiles to a serializable plan. */
export function compileWorkflow(source: string, file: string, ctx: TenantContext = {}): { plan?: WorkflowPlan; errors: WorkflowError[] } {
  const { workflow, errors } = parseWorkflow(source, file, ctx);
  if (!workflow || hasErrors(errors)) return { errors };
  try {
    return { plan: compile(workflow), errors };
  } catch (e) {
    return { errors: [...errors, { file, line: 0, col: 0, code: "internal-error", message: `internal error while compiling: ${e instanceof Error ? e.message : String(e)}`, severity: "error" }] };
  }
}
