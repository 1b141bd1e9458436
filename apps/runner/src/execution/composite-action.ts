// Composite actions, local (`uses: ./path`) and remote (`owner/repo[/path]@ref`, DESIGN.md Workflows) on one path:
// the action's steps run in order, in the same sandbox, as one step of the job — GitHub's semantics: the calling step's `env` is visible to every inner step and
// not after; `inputs` are the `with:` values over the declared defaults; inner steps see their own `steps` context
// and status functions; GITHUB_ENV / GITHUB_PATH written inside reach the job's later steps; the declared
// `outputs.<id>.value` expressions become the calling step's outputs. Nesting stops at GitHub's limit.
import type { PlannedStep } from "@gantry/workflow-schema";
import type { Annotation } from "./annotations";
import { evaluateCondition, type JobStatus } from "./conditions";
import { interpolate, interpolateMap } from "./interpolate";
import type { ActionManifest, CompositeStepSpec } from "./action-manifest";
import type { PendingPost } from "./action-posts";
import type { PreparedAction } from "./remote-action";
import type { StepRunInput, StepRunResult } from "./step-runner";

/** actions/runner's recursion limit: composite actions 10 levels deep (docs/adrs/1144-composite-actions.md). */
export const MAX_COMPOSITE_DEPTH = 10;

/** A composite action's metadata, read by the caller (from the workspace, or a remote action unpacked for the job). */
export interface LoadedComposite {
  manifest: ActionManifest;
  runs: Extract<ActionManifest["runs"], { using: "composite" }>;
  /** The metadata file as the log names it. */
  file: string;
  /** The action as written in `uses:`. */
  label: string;
  /** A remote action: its folder and name, for GITHUB_ACTION_PATH and `github.action_path`. */
  action?: PreparedAction;
}

type RunStep = (input: StepRunInput) => Promise<StepRunResult>;

const failure = (error: string): StepRunResult => ({ outcome: "failure", outputs: {}, envAdded: {}, pathAdded: [], annotations: [], error });

function continuesOnError(value: CompositeStepSpec["continue-on-error"], contexts: Record<string, unknown>, input: StepRunInput): boolean {
  if (typeof value === "boolean" || value === undefined) return value ?? false;
  const evaluated = interpolate(value, contexts, "continue-on-error", input.functions);
  return evaluated.ok && evaluated.value === "true";
}

export async function runCompositeAction(input: StepRunInput, runStep: RunStep, loaded: LoadedComposite): Promise<StepRunResult> {
  const { step, functions } = input;
  const uses = loaded.label;
  const depth = (input.compositeDepth ?? 0) + 1;
  if (depth > MAX_COMPOSITE_DEPTH) return failure(`uses: ${uses}: composite actions nest at most ${MAX_COMPOSITE_DEPTH} deep`);
  const action = loaded.manifest;
  const remote = loaded.action;
  // A remote composite's steps find their files through github.action_path / GITHUB_ACTION_PATH.
  const contexts = remote ? { ...input.contexts, github: { ...asRecord(input.contexts.github), action_path: remote.inside, action_repository: remote.repository, action_ref: remote.ref } } : input.contexts;
  const actionEnv: Record<string, string> = remote ? { GITHUB_ACTION_PATH: remote.inside, GITHUB_ACTION_REPOSITORY: remote.repository, GITHUB_ACTION_REF: remote.ref } : {};

  // The caller's `with:` and `env:`, evaluated with the job's contexts.
  const given = interpolateMap(step.with, input.contexts, "with", functions);
  if (!given.ok) return failure(given.error);
  const callerEnv = interpolateMap(step.env, input.contexts, "env", functions);
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
  const posts: PendingPost[] = [];
  let firstError: string | undefined;
  const innerContexts = () => ({ ...contexts, inputs, steps: stepsContext, env: { ...input.jobEnv, ...envAdded, ...callerEnv.value } });

  for (const [position, spec] of loaded.runs.steps.entries()) {
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
        jobEnv: { ...input.jobEnv, ...envAdded, ...callerEnv.value, ...actionEnv },
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
    posts.push(...(result.posts ?? []));
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
    ...(posts.length ? { posts } : {}),
    ...(status !== "success" && firstError ? { error: firstError } : {}),
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};
}
