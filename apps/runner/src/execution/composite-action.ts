// Local composite actions (`uses: ./path`, DESIGN.md Workflows): the action's steps run in order, in the same
// sandbox, as one step of the job — GitHub's semantics: the calling step's `env` is visible to every inner step and
// not after; `inputs` are the `with:` values over the declared defaults; inner steps see their own `steps` context
// and status functions; GITHUB_ENV / GITHUB_PATH written inside reach the job's later steps; the declared
// `outputs.<id>.value` expressions become the calling step's outputs. Nesting stops at GitHub's limit.
import type { PlannedStep } from "@gantry/workflow-schema";
import type { Annotation } from "./annotations";
import { evaluateCondition, type JobStatus } from "./conditions";
import { interpolate, interpolateMap } from "./interpolate";
import { readLocalAction, type CompositeStepSpec } from "./local-action";
import type { StepRunInput, StepRunResult } from "./step-runner";

/** GitHub allows composite actions nested 9 deep (10 levels in all). */
export const MAX_COMPOSITE_DEPTH = 10;

type RunStep = (input: StepRunInput) => Promise<StepRunResult>;

const failure = (error: string): StepRunResult => ({ outcome: "failure", outputs: {}, envAdded: {}, pathAdded: [], annotations: [], error });

function continuesOnError(value: CompositeStepSpec["continue-on-error"], contexts: Record<string, unknown>, input: StepRunInput): boolean {
  if (typeof value === "boolean" || value === undefined) return value ?? false;
  const evaluated = interpolate(value, contexts, "continue-on-error", input.functions);
  return evaluated.ok && evaluated.value === "true";
}

export async function runCompositeAction(input: StepRunInput, runStep: RunStep): Promise<StepRunResult> {
  const { step, contexts, functions } = input;
  const uses = step.uses ?? ".";
  const depth = (input.compositeDepth ?? 0) + 1;
  if (depth > MAX_COMPOSITE_DEPTH) return failure(`uses: ${uses}: composite actions nest at most ${MAX_COMPOSITE_DEPTH} deep`);
  const loaded = readLocalAction(input.sandbox.hostPaths.workspace, uses);
  if (!loaded.ok) return failure(loaded.error);
  const { action } = loaded;
  if (action.runs.using !== "composite") return failure(`local action ${uses} runs with "${action.runs.using}"; Gantry runs only composite local actions`);

  // The caller's `with:` and `env:`, evaluated with the job's contexts.
  const given = interpolateMap(step.with, contexts, "with", functions);
  if (!given.ok) return failure(given.error);
  const callerEnv = interpolateMap(step.env, contexts, "env", functions);
  if (!callerEnv.ok) return failure(callerEnv.error);
  const byLowerName = new Map(Object.entries(given.value).map(([name, value]) => [name.toLowerCase(), value]));
  const inputs: Record<string, string> = {};
  for (const [name, declared] of Object.entries(action.inputs)) {
    const value = byLowerName.get(name.toLowerCase());
    if (value !== undefined) inputs[name] = value;
    else {
      const fallback = interpolate(declared?.default ?? "", contexts, `inputs.${name}.default`, functions);
      if (!fallback.ok) return failure(fallback.error);
      inputs[name] = fallback.value;
    }
  }

  await input.log.write(step.index, `##[group]Run ${uses} (${loaded.file})\n##[endgroup]\n`);
  let status: JobStatus = "success";
  const stepsContext: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
  let envAdded: Record<string, string> = {};
  let pathAdded: string[] = [];
  const annotations: Annotation[] = [];
  const summaries: string[] = [];
  let firstError: string | undefined;
  const innerContexts = () => ({ ...contexts, inputs, steps: stepsContext, env: { ...input.jobEnv, ...envAdded, ...callerEnv.value } });

  for (const [position, spec] of (action.runs.steps ?? []).entries()) {
    const ctx = innerContexts();
    const condition = evaluateCondition(spec.if ?? "", ctx, status, functions);
    let result: StepRunResult;
    if (!condition.ok) result = failure(condition.error);
    else if (!condition.run) {
      if (spec.id) stepsContext[spec.id] = { outputs: {}, outcome: "skipped", conclusion: "skipped" };
      continue;
    } else if (spec.run !== undefined && !spec.shell) {
      result = failure(`${uses} step ${position + 1}: "shell" is required for a run step of a composite action`);
    } else if (spec.run === undefined && spec.uses === undefined) {
      result = failure(`${uses} step ${position + 1}: a step needs "run" or "uses"`);
    } else {
      const inner: PlannedStep = {
        index: step.index,
        ...(spec.id ? { id: spec.id } : {}),
        ...(spec.name ? { name: spec.name } : {}),
        if: spec.if ?? "success()",
        ...(spec.run !== undefined ? { run: spec.run } : {}),
        ...(spec.uses !== undefined ? { uses: spec.uses } : {}),
        ...(spec.shell ? { shell: spec.shell } : {}),
        ...(spec["working-directory"] ? { workingDirectory: spec["working-directory"] } : {}),
        env: spec.env,
        with: spec.with,
        continueOnError: false,
      };
      result = await runStep({
        ...input,
        step: inner,
        contexts: ctx,
        // The caller's env sits where a step's own env would; GITHUB_ENV from inner steps below it.
        jobEnv: { ...input.jobEnv, ...envAdded, ...callerEnv.value },
        extraPath: [...pathAdded, ...input.extraPath],
        compositeDepth: depth,
      });
      envAdded = { ...envAdded, ...result.envAdded };
      pathAdded = [...[...result.pathAdded].reverse(), ...pathAdded];
    }
    const outcome = result.outcome;
    const conclusion = outcome === "failure" && continuesOnError(spec["continue-on-error"], ctx, input) ? "success" : outcome;
    if (conclusion === "failure" && status === "success") status = "failure";
    if (outcome === "cancelled") status = "cancelled";
    if (conclusion !== "success") firstError ??= result.error;
    if (spec.id) stepsContext[spec.id] = { outputs: result.outputs, outcome, conclusion };
    annotations.push(...result.annotations);
    if (result.summary) summaries.push(result.summary);
  }

  const outputs: Record<string, string> = {};
  for (const [name, declared] of Object.entries(action.outputs)) {
    const value = interpolate(declared?.value ?? "", innerContexts(), `outputs.${name}`, functions);
    if (value.ok) outputs[name] = value.value;
    else firstError ??= value.error;
  }
  return {
    outcome: status,
    outputs,
    envAdded,
    // runStep's callers put the last-added directory first; ours are already in that order.
    pathAdded: [...pathAdded].reverse(),
    annotations,
    ...(summaries.length ? { summary: summaries.join("\n") } : {}),
    ...(status !== "success" && firstError ? { error: firstError } : {}),
  };
}
