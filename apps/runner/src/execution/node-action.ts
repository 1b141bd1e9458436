// JavaScript actions (`runs.using: node12|16|20|24`): each phase (pre, main, post) is `node <action>/<script>` in the
// sandbox on the Node the runner ships for it (node-runtimes.ts), with the action's inputs as INPUT_*, its own
// GITHUB_ACTION_PATH/REPOSITORY/REF, the services' variables and, from the phases before, STATE_* (GITHUB_STATE and
// `::save-state::`). Output and file commands are handled as for a `run:` step (step-exec.ts). The post phase is
// registered for the job's end, where its `post-if` is evaluated with the job's status then.
import path from "node:path";
import type { Sandbox } from "../sandbox/types";
import { actionServiceEnv } from "./action-env";
import { actionInputs, inputEnv } from "./action-inputs";
import { nodeMajor, type NodeRuns } from "./action-manifest";
import type { PendingPost } from "./action-posts";
import { evaluateCondition } from "./conditions";
import type { PreparedAction } from "./remote-action";
import { components, UnsafePathError } from "./safe-fs";
import { createStepFiles, writeRunnerFile } from "./step-files";
import { execStep, type StepExecResult } from "./step-exec";
import { refusedPath } from "./refused-path";
import type { StepRunInput, StepRunResult } from "./step-runner";
import type { ActionsOptions } from "./types";

export interface NodeActionCall {
  input: StepRunInput;
  /** The step's env as runStep built it (defaults, job env, step env, GITHUB_* files). */
  env: Record<string, string>;
  timeoutMs?: number;
  action: PreparedAction;
  runs: NodeRuns;
}

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const failure = (error: string): StepRunResult => ({ outcome: "failure", outputs: {}, envAdded: {}, pathAdded: [], annotations: [], error });

/** The `node` binary for `major` as processes inside see it; a `process` sandbox (host == inside) uses the host's folder. */
export function nodeBinary(sandbox: Sandbox, major: string, options: ActionsOptions | undefined): { ok: true; path: string } | { ok: false; error: string } {
  const inside = sandbox.paths.node?.[major];
  if (inside) return { ok: true, path: inside };
  const host = options?.nodeRuntimes[major];
  if (sandbox.provider === "process" && host) return { ok: true, path: path.join(host, "bin", "node") };
  return { ok: false, error: `this runner's ${sandbox.provider} sandbox has no Node ${major} (the runner's node-runtime-${major} package, SandboxSpec.tools.node)` };
}

/** pre-if / post-if: GitHub's default is always(). */
function shouldRun(condition: string | undefined, input: StepRunInput, status: Parameters<typeof evaluateCondition>[2]) {
  return evaluateCondition(condition ?? "always()", input.contexts, status, input.functions);
}

async function runPhase(call: NodeActionCall, phase: "pre" | "main" | "post", script: string, state: Record<string, string>, signal: AbortSignal): Promise<StepExecResult> {
  const { input, action } = call;
  const { sandbox, step } = input;
  const fail = (error: string): StepExecResult => ({ ...failure(error), state: {} });
  const runtime = nodeBinary(sandbox, nodeMajor(call.runs.using), input.remote?.options);
  if (!runtime.ok) return fail(`${action.uses} runs.using: ${call.runs.using}: ${runtime.error}`);
  try {
    components(script);
  } catch (error) {
    if (error instanceof UnsafePathError) return fail(`${action.file}: runs.${phase}: ${error.message}`);
    throw error;
  }
  const inputs = actionInputs(step.with, action.manifest, input.contexts, input.functions);
  if (!inputs.ok) return fail(inputs.error);
  const files = refusedPath(() => createStepFiles(sandbox, step.index));
  if (!files.ok) return fail(files.error);
  const stateName = `state_${step.index}`;
  const stateFile = refusedPath(() => writeRunnerFile(sandbox, stateName, "", 0o600));
  if (!stateFile.ok) return fail(stateFile.error);
  const env: Record<string, string> = {
    ...call.env,
    ...inputEnv(inputs.inputs),
    ...Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value])),
    GITHUB_ACTION_PATH: action.inside,
    GITHUB_ACTION_REPOSITORY: action.repository,
    GITHUB_ACTION_REF: action.ref,
    GITHUB_STATE: path.posix.join(sandbox.paths.runnerFiles, stateName),
    ...actionServiceEnv(sandbox, input.remote?.options),
  };
  const write = (text: string) => input.log.write(step.index, input.masker.mask(text));
  const title = phase === "main" ? "Run" : phase === "pre" ? "Pre Run" : "Post Run";
  const withLines = Object.entries(inputs.inputs).map(([name, value]) => `  ${name}: ${value.split("\n")[0] ?? ""}\n`);
  await write(`##[group]${title} ${action.uses}\n${withLines.length > 0 ? `with:\n${withLines.join("")}` : ""}##[endgroup]\n`);
  const annotations = [];
  if (phase === "main" && inputs.warning) {
    annotations.push({ level: "warning" as const, message: input.masker.mask(inputs.warning), stepIndex: step.index });
    await write(`##[warning]${inputs.warning}\n`);
  }
  // Inputs keep GitHub's names (INPUT_PYTHON-VERSION): not shell variable names, which the shells between the runner
  // and the process (sh -c, inside and out) drop from the environment. Those few reach node through a preload that
  // sets them and deletes itself.
  const plain: Record<string, string> = {};
  const odd: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) (SHELL_NAME.test(name) ? plain : odd)[name] = value;
  const argv = [runtime.path, path.posix.join(action.inside, script)];
  if (Object.keys(odd).length > 0) {
    const preload = `action_env_${step.index}.cjs`;
    const source = `Object.assign(process.env, ${JSON.stringify(odd)});\ntry { require("fs").unlinkSync(__filename); } catch {}\n`;
    const written = refusedPath(() => writeRunnerFile(sandbox, preload, source, 0o600));
    if (!written.ok) return fail(written.error);
    argv.splice(1, 0, "--require", path.posix.join(sandbox.paths.runnerFiles, preload));
  }
  const result = await execStep({
    stepIndex: step.index,
    sandbox,
    masker: input.masker,
    log: input.log,
    signal,
    debug: input.debug,
    argv,
    env: plain,
    cwd: sandbox.paths.workspace,
    ...(call.timeoutMs !== undefined ? { timeoutMs: call.timeoutMs } : {}),
    files: files.value.host,
    stateFile: stateName,
    refusedEnvIsWarning: true,
  });
  return { ...result, annotations: [...annotations, ...result.annotations] };
}

/** The pre phase of a job-level step, before the job's first step; its state is kept for main and post. */
export async function runNodePre(call: NodeActionCall): Promise<StepExecResult> {
  const { input, runs } = call;
  const skipped: StepExecResult = { outcome: "success", outputs: {}, envAdded: {}, pathAdded: [], annotations: [], state: {} };
  if (runs.pre === undefined) return skipped;
  const condition = shouldRun(runs["pre-if"], input, "success");
  if (!condition.ok) return { ...failure(`${call.action.file}: pre-${condition.error}`), state: {} };
  if (!condition.run) return skipped;
  const result = await runPhase(call, "pre", runs.pre, {}, input.signal);
  // A job-level step's pre runs before the job's first step; main and post read what it saved.
  if ((input.compositeDepth ?? 0) === 0) input.remote?.states.set(input.step.index, result.state);
  return result;
}

/** The main phase (with pre first when the job did not run it: an action inside a composite), registering post. */
export async function runNodeMain(call: NodeActionCall): Promise<StepRunResult> {
  const { input, runs } = call;
  let state = (input.compositeDepth ?? 0) === 0 ? (input.remote?.states.get(input.step.index) ?? {}) : {};
  if ((input.compositeDepth ?? 0) > 0 && runs.pre !== undefined) {
    // Inside a composite the job did not see this action before its first step: pre runs just before main.
    const pre = await runNodePre(call);
    if (pre.outcome !== "success") return pre;
    state = pre.state;
  }
  const result = await runPhase(call, "main", runs.main, state, input.signal);
  const saved = { ...state, ...result.state };
  const posts: PendingPost[] = [];
  const post = runs.post;
  if (post !== undefined) {
    posts.push({
      index: input.step.index,
      run: async (io) => {
        const condition = shouldRun(runs["post-if"], input, io.status);
        if (!condition.ok) return { error: `${call.action.file}: post-${condition.error}` };
        if (!condition.run) {
          await io.write(`Post Run ${call.action.uses} skipped: post-if is false\n`);
          return {};
        }
        const ran = await runPhase(call, "post", post, saved, io.signal);
        return ran.outcome === "success" ? {} : { error: `post ${call.action.uses}: ${ran.error ?? ran.outcome}` };
      },
    });
  }
  return { outcome: result.outcome, outputs: result.outputs, envAdded: result.envAdded, pathAdded: result.pathAdded, annotations: result.annotations, ...(result.summary !== undefined ? { summary: result.summary } : {}), ...(result.error !== undefined ? { error: result.error } : {}), ...(posts.length > 0 ? { posts } : {}) };
}
