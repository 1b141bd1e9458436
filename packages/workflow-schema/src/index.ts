import { compile } from "./compile/compile";
import { hasErrors } from "./errors";
import type { WorkflowError } from "./errors";
import type { TenantContext, Workflow } from "./model";
import type { WorkflowPlan } from "./plan";
import { parseWorkflow } from "./validate";

export { parseWorkflow } from "./validate";
export { validateProject, validateWorkflows, DEFAULT_WORKFLOW_DIRS } from "./project/project";
export { formatErrors } from "./format";
export { evaluateExpression } from "./expr/evaluate";
export type { EvalResult, ExprFunction, JsonValue } from "./expr/evaluate";
export { matchTrigger } from "./triggers/match";
export type { TriggerEvent } from "./triggers/match";
export { validateDispatchInputs, eventInputs, dispatchTrigger } from "./triggers/dispatch-inputs";
export type { DispatchValue, DispatchInputDeclaration, DispatchInputProblem, DispatchInputsResult } from "./triggers/dispatch-inputs";
export { matchPatterns, validateGlob } from "./triggers/glob";
export { parseCron } from "./cron";
export { expandMatrix, cellKey, MAX_MATRIX_CELLS } from "./compile/matrix";
export { expandDynamicJob } from "./compile/runtime-matrix";
export { expandReusableCall, calledWorkflow, callInputs, callOutputs } from "./compile/reusable-call";
export type { CallExpansion, CalledJobResult, InputValue } from "./compile/reusable-call";
export { compileWorkflowWithCalls, MAX_CALL_DEPTH, type ReadRepositoryFile } from "./project/compile-with-calls";
export { isWorkflowPlan } from "./plan-guard";
export { actionRefusal, actionMatchesPattern, actionPatternProblem, actionsPolicySchema, parseActionRef, ALLOW_ALL_ACTIONS, GITHUB_OWNERS, MAX_ACTION_PATTERNS } from "./actions-policy";
export type { ActionsPolicy } from "./actions-policy";
export { remoteActionFormatProblem, classifyUses, type UsesKind } from "./rules/uses";
export { secretReferences, type SecretReferences } from "./secret-references";
export { statusWord, runStatusFromWord, type StatusSubject, type StatusTone, type StatusWord } from "./status-words";
/** Compile an already validated workflow (e.g. one of `validateProject(...).workflows`). */
export { compile as compilePlan } from "./compile/compile";
export type { RuntimeResult } from "./compile/runtime-matrix";
export { sortErrors, hasErrors } from "./errors";
export type { WorkflowError, Pos } from "./errors";
export type * from "./model";
export type * from "./plan";

/**
 * Validates one file and, when there is no error (warnings are fine), compiles it to a serializable plan. A call of
 * a reusable workflow needs the called file, which this cannot read: it is an error at its `uses:` here (rather
 * than a job that would do nothing and succeed); intake compiles with `compileWorkflowWithCalls`, which reads it.
 */
export function compileWorkflow(source: string, file: string, ctx: TenantContext = {}): { plan?: WorkflowPlan; errors: WorkflowError[] } {
  const parsed = parseWorkflow(source, file, ctx);
  const { workflow } = parsed;
  const errors = [...parsed.errors, ...(workflow ? callsNeedTheirFiles(workflow) : [])];
  if (!workflow || hasErrors(errors)) return { errors };
  try {
    return { plan: compile(workflow), errors };
  } catch (e) {
    return { errors: [...errors, { file, line: 0, col: 0, code: "internal-error", message: `internal error while compiling: ${e instanceof Error ? e.message : String(e)}`, severity: "error" }] };
  }
}

function callsNeedTheirFiles(workflow: Workflow): WorkflowError[] {
  return workflow.jobs.flatMap((job) =>
    job.uses
      ? [{ file: workflow.file, line: job.uses.pos.line, col: job.uses.pos.col, code: "reusable-workflow-unread", message: `job "${job.id}" calls the reusable workflow "${job.uses.value}": compiling it needs the called file (compileWorkflowWithCalls)`, severity: "error" as const }]
      : [],
  );
}
