// Runs one step that passed its `if:` in the sandbox: resolve env, shell, working directory and timeout,
// stream output through StepOutput, then read the file commands back.
import path from "node:path";
import type { ExprFunction, PlannedStep } from "@gantry/workflow-schema";
import type { Sandbox } from "../sandbox/types";
import type { Annotation } from "./annotations";
import { githubEnv } from "./github-env";
import { interpolate, interpolateMap } from "./interpolate";
import type { LogStream } from "./log-stream";
import type { Masker } from "./masker";
import { runCompositeAction } from "./composite-action";
import { isLocalAction, readLocalAction } from "./local-action";
import type { PendingPost } from "./action-posts";
import type { RemoteActions } from "./remote-action";
import { runRemoteAction } from "./run-remote-action";
import { refusedPath } from "./refused-path";
import { runnerToolEnv } from "./action-env";
import { scriptExtension, shellCommand } from "./shell";
import { createStepFiles, writeRunnerFile } from "./step-files";
import { execStep } from "./step-exec";
import type { NativeAction, NativePost } from "./types";

export interface StepRunInput {
  step: PlannedStep;
  jobId: string;
  sandbox: Sandbox;
  contexts: Record<string, unknown>;
  /** The job's env so far (job `env:` plus GITHUB_ENV from earlier steps). */
  jobEnv: Record<string, string>;
  /** Directories from GITHUB_PATH, first wins. */
  extraPath: string[];
  /** Expression functions beyond the status ones (hashFiles). */
  functions: Record<string, ExprFunction>;
  masker: Masker;
  log: LogStream;
  signal: AbortSignal;
  debug: boolean;
  nativeActions: Record<string, NativeAction>;
  /** How deep in composite actions this step is (0: a step of the job). */
  compositeDepth?: number;
  /** The job's remote actions (resolved, downloaded, unpacked once per job); absent: the runner has no resolver. */
  remote?: RemoteActions;
  /** Run only a remote JavaScript action's pre phase (the job does this for its steps before the first one). */
  prePhase?: boolean;
}

export interface StepRunResult {
  outcome: "success" | "failure" | "cancelled";
  outputs: Record<string, string>;
  envAdded: Record<string, string>;
  pathAdded: string[];
  summary?: string;
  annotations: Annotation[];
  error?: string;
  /** A native action's post step, for the job to run at its end. */
  post?: NativePost;
  /** JavaScript actions' post phases (also those of actions inside a composite), for the job's end. */
  posts?: PendingPost[];
}

const fail = (error: string, annotations: Annotation[] = []): StepRunResult => ({ outcome: "failure", outputs: {}, envAdded: {}, pathAdded: [], annotations, error });

function timeoutMs(step: PlannedStep, contexts: Record<string, unknown>, functions: Record<string, ExprFunction>): { ok: true; value?: number } | { ok: false; error: string } {
  if (step.timeoutMinutes === undefined) return { ok: true };
  const raw = typeof step.timeoutMinutes === "number" ? { ok: true as const, value: String(step.timeoutMinutes) } : interpolate(step.timeoutMinutes, contexts, "timeout-minutes", functions);
  if (!raw.ok) return raw;
  const minutes = Number(raw.value);
  if (!Number.isFinite(minutes) || minutes <= 0) return { ok: false, error: `timeout-minutes: ${JSON.stringify(raw.value)} is not a positive number` };
  return { ok: true, value: Math.round(minutes * 60_000) };
}

export async function runStep(input: StepRunInput): Promise<StepRunResult> {
  const { step, sandbox, contexts, masker, log } = input;
  const write = (text: string) => log.write(step.index, masker.mask(text));
  const { functions } = input;
  const stepEnv = interpolateMap(step.env, contexts, "env", functions);
  if (!stepEnv.ok) return fail(stepEnv.error);
  const timeout = timeoutMs(step, contexts, functions);
  if (!timeout.ok) return fail(timeout.error);
  const files = refusedPath(() => createStepFiles(sandbox, step.index));
  if (!files.ok) return fail(files.error);
  const pathPrefix = input.extraPath.length > 0 ? `${input.extraPath.join(":")}:` : "";
  const baseEnv = { ...sandbox.baseEnv, ...githubEnv(asRecord(contexts.github), sandbox, input.jobId, files.value.inside, step.id ?? `__run_${step.index}`), ...runnerToolEnv(sandbox, input.remote?.options) };
  // GitHub's order: defaults < job env (incl. GITHUB_ENV) < step env; GITHUB_PATH entries go in front.
  const env = { ...baseEnv, ...input.jobEnv, ...stepEnv.value };
  env.PATH = pathPrefix + (env.PATH ?? "");

  let argv: string[];
  let cwd = sandbox.paths.workspace;
  if (step.run !== undefined) {
    const script = interpolate(step.run, contexts, "run", functions);
    if (!script.ok) return fail(script.error);
    const name = `step_${step.index}${scriptExtension(step.shell)}`;
    const written = refusedPath(() => writeRunnerFile(sandbox, name, script.value, 0o644));
    if (!written.ok) return fail(`the step script ${written.error}`);
    const shell = shellCommand(step.shell, path.posix.join(sandbox.paths.runnerFiles, name));
    if (!shell.ok) return fail(shell.error);
    argv = shell.argv;
    if (step.workingDirectory !== undefined) {
      const dir = interpolate(step.workingDirectory, contexts, "working-directory", functions);
      if (!dir.ok) return fail(dir.error);
      cwd = path.posix.resolve(sandbox.paths.workspace, dir.value);
    }
    await write(`##[group]Run ${script.value.split("\n")[0] ?? ""}\n${script.value.endsWith("\n") ? script.value : `${script.value}\n`}##[endgroup]\n`);
  } else if (step.uses !== undefined && isLocalAction(step.uses)) {
    const loaded = readLocalAction(sandbox.hostPaths.workspace, step.uses);
    if (!loaded.ok) return fail(loaded.error);
    if (loaded.manifest.runs.using !== "composite") return fail(`local action ${step.uses} runs with "${loaded.manifest.runs.using}"; Gantry runs only composite local actions`);
    return runCompositeAction(input, runStep, { manifest: loaded.manifest, runs: loaded.manifest.runs, file: loaded.file, label: step.uses });
  } else if (step.uses !== undefined) {
    const action = step.uses.split("@")[0] ?? step.uses;
    const native = input.nativeActions[action];
    if (!native) return runRemoteAction(input, env, timeout.value, runStep);
    const withValues = interpolateMap(step.with, contexts, "with", functions);
    if (!withValues.ok) return fail(withValues.error);
    const result = await native({ step, with: withValues.value, sandbox, env, write, signal: input.signal });
    if (result.error) await write(`##[error]${result.error}\n`);
    return { outcome: input.signal.aborted ? "cancelled" : result.ok ? "success" : "failure", outputs: result.outputs, envAdded: {}, pathAdded: [], annotations: [], ...(result.error ? { error: result.error } : {}), ...(result.post ? { post: result.post } : {}) };
  } else {
    return fail("step has neither run nor uses");
  }

  return execStep({ stepIndex: step.index, sandbox, masker, log, signal: input.signal, debug: input.debug, argv, env, cwd, ...(timeout.value !== undefined ? { timeoutMs: timeout.value } : {}), files: files.value.host });
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};
}
