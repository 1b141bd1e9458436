// A job that calls a local reusable workflow runs nothing itself: when its needs are done the worker evaluates its
// `with:` against the called workflow's declared inputs and adds the called workflow's jobs to the run, keyed
// `<caller> / <job>` like GitHub names them. The caller ends when they have all ended, with the called
// workflow's `on.workflow_call.outputs` as its outputs. Pure: the worker does the storing.
import type { ExprFunction } from "../expr/evaluate";
import { resolveTemplate } from "../expr/template";
import type { PlannedJob, WorkflowPlan } from "../plan";
import { repoPath } from "../project/resolve";

export type InputValue = string | number | boolean;

export type CallExpansion = { ok: true; plan: WorkflowPlan; jobs: PlannedJob[]; inputs: Record<string, InputValue> } | { ok: false; error: string };

/** The compiled workflow a planned job calls, from the plan intake stored (`plan.calls`). */
export function calledWorkflow(plan: WorkflowPlan, caller: PlannedJob): WorkflowPlan | undefined {
  const path = caller.uses ? repoPath(caller.uses) : undefined;
  return path === undefined ? undefined : plan.calls?.[path];
}

const workflowCall = (callee: WorkflowPlan) => callee.triggers.find((trigger) => trigger.event === "workflow_call");

const describe = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value);

const emptyOf = (type: string): InputValue => (type === "boolean" ? false : type === "number" ? 0 : "");

function asInputType(value: unknown, type: string): InputValue | undefined {
  if (value === null) return emptyOf(type);
  if (type === "boolean") {
    if (typeof value === "boolean") return value;
    if (value === "true" || value === "false") return value === "true";
    return undefined;
  }
  if (type === "number") {
    if (typeof value === "number") return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    return undefined;
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return type === "string" ? String(value) : value;
  return undefined;
}

/** The called workflow's `inputs` context: the caller's `with:` evaluated, over the declared defaults, typed as declared. */
export function callInputs(
  callee: WorkflowPlan,
  given: Readonly<Record<string, string>>,
  contexts: Record<string, unknown>,
  functions: Record<string, ExprFunction> = {},
): { ok: true; inputs: Record<string, InputValue> } | { ok: false; error: string } {
  const byName = new Map(Object.entries(given).map(([name, value]) => [name.toLowerCase(), value]));
  const inputs: Record<string, InputValue> = {};
  for (const declared of workflowCall(callee)?.inputs ?? []) {
    const raw = byName.get(declared.name.toLowerCase()) ?? declared.default;
    if (raw === undefined) {
      if (declared.required) return { ok: false, error: `input "${declared.name}" is required by the called workflow and was not given` };
      // An optional input without a default reads as its type's empty value, as on GitHub.
      inputs[declared.name] = emptyOf(declared.type);
      continue;
    }
    const evaluated = resolveTemplate(raw, contexts, functions);
    if (!evaluated.ok) return { ok: false, error: `input "${declared.name}": ${evaluated.error}` };
    const typed = asInputType(evaluated.value, declared.type);
    if (typed === undefined) return { ok: false, error: `input "${declared.name}" is typed as ${declared.type} by the called workflow, but its value is ${describe(evaluated.value)} ${JSON.stringify(evaluated.value)}` };
    inputs[declared.name] = typed;
  }
  return { ok: true, inputs };
}

/**
 * Adds the jobs of the workflow that the planned job `callerKey` calls to the plan: keys and names prefixed with
 * the caller's, needs kept inside the call, the called workflow's `env` under each job's own (the caller's
 * workflow `env` does not reach them, as on GitHub), and the caller's `secrets:` carried for the control plane.
 */
export function expandReusableCall(plan: WorkflowPlan, callerKey: string, contexts: Record<string, unknown>, functions: Record<string, ExprFunction> = {}): CallExpansion {
  const caller = plan.jobs.find((job) => job.key === callerKey);
  if (!caller?.uses) return { ok: false, error: `no job "${callerKey}" calling a reusable workflow in the plan` };
  const callee = calledWorkflow(plan, caller);
  if (!callee) return { ok: false, error: `the run's plan does not hold the called workflow "${caller.uses}"` };
  const inputs = callInputs(callee, caller.with ?? {}, contexts, functions);
  if (!inputs.ok) return inputs;
  const prefixed = (key: string) => `${caller.key} / ${key}`;
  const jobs = callee.jobs.map(
    (job): PlannedJob => ({
      ...job,
      key: prefixed(job.key),
      name: `${caller.name} / ${job.name}`,
      needs: job.needs.map(prefixed),
      env: { ...callee.env, ...job.env },
      calledBy: caller.key,
      ...(caller.secrets !== undefined ? { callSecrets: caller.secrets } : {}),
    }),
  );
  return { ok: true, plan: { ...plan, jobs: [...plan.jobs, ...jobs] }, jobs, inputs: inputs.inputs };
}

/** One job of a call as the `jobs` context sees it. */
export interface CalledJobResult {
  result: string;
  outputs: Record<string, unknown>;
}

/** The caller's outputs: each `on.workflow_call.outputs.<name>.value`, evaluated over the called jobs' results. */
export function callOutputs(
  callee: WorkflowPlan,
  contexts: { jobs: Record<string, CalledJobResult> } & Record<string, unknown>,
  functions: Record<string, ExprFunction> = {},
): { ok: true; outputs: Record<string, string> } | { ok: false; error: string } {
  const outputs: Record<string, string> = {};
  for (const output of workflowCall(callee)?.outputs ?? []) {
    const evaluated = resolveTemplate(output.value, contexts, functions);
    if (!evaluated.ok) return { ok: false, error: `output "${output.name}": ${evaluated.error}` };
    const value = evaluated.value;
    outputs[output.name] = value === null || value === undefined ? "" : typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  }
  return { ok: true, outputs };
}
