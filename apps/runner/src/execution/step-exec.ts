// The part every process-running step shares (a `run:` step, each phase of a JavaScript action): run the command in
// the sandbox, stream its output through StepOutput (workflow commands, masking), then read back the file commands
// (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY and, for actions, GITHUB_STATE) and decide the outcome.
import { InfrastructureError } from "../infrastructure-error";
import type { Sandbox } from "../sandbox/types";
import { refusedEnvMessage, refusedEnvNames } from "./env-deny-list";
import { unsafeExecValue } from "./exec-values";
import { parseKeyValueFile, parsePathFile } from "./file-commands";
import type { StepFiles } from "./github-env";
import type { LogStream } from "./log-stream";
import type { Masker } from "./masker";
import { MAX_SUMMARY_BYTES, readStepFile } from "./step-files";
import { StepOutput } from "./step-output";
import type { StepRunResult } from "./step-runner";

export interface StepExecInput {
  stepIndex: number;
  sandbox: Sandbox;
  masker: Masker;
  log: LogStream;
  signal: AbortSignal;
  debug: boolean;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  timeoutMs?: number;
  /** The file-command files' names in the runner-file directory (createStepFiles().host). */
  files: StepFiles;
  /** GITHUB_STATE's name in the runner-file directory, for an action's phases. */
  stateFile?: string;
  /**
   * A GITHUB_ENV name the deny list refuses is dropped with a warning instead of failing the step: published actions
   * (setup-python exports LD_LIBRARY_PATH) do this, and their authors cannot change it for Gantry.
   */
  refusedEnvIsWarning?: boolean;
}

export type StepExecResult = StepRunResult & { state: Record<string, string> };

const write = (input: StepExecInput, text: string) => input.log.write(input.stepIndex, input.masker.mask(text));

export async function execStep(input: StepExecInput): Promise<StepExecResult> {
  const { sandbox, masker, argv, env, cwd } = input;
  const unsafe = unsafeExecValue({ argv, env, cwd });
  if (unsafe) return { outcome: "failure", outputs: {}, envAdded: {}, pathAdded: [], annotations: [], error: unsafe, state: {} };
  const output = new StepOutput(input.stepIndex, masker, input.log, input.debug);
  const child = sandbox.exec({ argv, env, cwd, ...(input.timeoutMs !== undefined ? { timeoutMs: input.timeoutMs } : {}) });
  const stop = () => child.stop();
  input.signal.addEventListener("abort", stop, { once: true });
  try {
    for await (const chunk of child.output) await output.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    await output.end();
  } finally {
    input.signal.removeEventListener("abort", stop);
  }
  const exit = await child.wait();
  // The sandbox died under the step: the platform's failure, retried elsewhere, not the step's (infrastructure-error.ts).
  if (exit.sandboxFailure !== undefined) throw new InfrastructureError(`the sandbox died during step ${input.stepIndex + 1}: ${exit.sandboxFailure}`);
  const { annotations, refused } = output.state;

  const errors: string[] = [];
  const warnings: string[] = [];
  const { files } = input;
  const outputsFile = readStepFile(sandbox, files.output);
  const envFile = readStepFile(sandbox, files.env);
  const pathFile = readStepFile(sandbox, files.path);
  const summaryFile = readStepFile(sandbox, files.summary);
  const outputs = { ...output.state.outputs };
  const state = { ...output.state.saved };
  const envAdded: Record<string, string> = {};
  let pathAdded: string[] = [];
  if (outputsFile.ok) {
    const parsed = parseKeyValueFile(outputsFile.text, "GITHUB_OUTPUT");
    if (parsed.ok) Object.assign(outputs, parsed.values);
    else errors.push(parsed.error);
  } else errors.push(outputsFile.error);
  if (envFile.ok) {
    const parsed = parseKeyValueFile(envFile.text, "GITHUB_ENV");
    if (parsed.ok) {
      const refusedNames = refusedEnvNames(Object.keys(parsed.values));
      for (const [name, value] of Object.entries(parsed.values)) if (!refusedNames.includes(name)) envAdded[name] = value;
      (input.refusedEnvIsWarning ? warnings : errors).push(...refusedNames.map(refusedEnvMessage));
    } else errors.push(parsed.error);
  } else errors.push(envFile.error);
  if (pathFile.ok) pathAdded = parsePathFile(pathFile.text);
  else errors.push(pathFile.error);
  let summary: string | undefined;
  if (summaryFile.ok && summaryFile.text !== "") {
    if (Buffer.byteLength(summaryFile.text) > MAX_SUMMARY_BYTES) errors.push(`GITHUB_STEP_SUMMARY is larger than ${MAX_SUMMARY_BYTES} bytes`);
    else summary = masker.mask(summaryFile.text);
  } else if (!summaryFile.ok) errors.push(summaryFile.error);
  if (input.stateFile !== undefined) {
    const stateFile = readStepFile(sandbox, input.stateFile);
    const parsed = stateFile.ok ? parseKeyValueFile(stateFile.text, "GITHUB_STATE") : stateFile;
    if (parsed.ok) Object.assign(state, parsed.values);
    else errors.push(parsed.error);
  }
  if (refused.length > 0) errors.push(`refused workflow command: ${refused.join(", ")}`);

  let error: string | undefined;
  let outcome: StepRunResult["outcome"] = "success";
  if (exit.stopped) {
    outcome = "cancelled";
    error = "the step was cancelled";
  } else if (exit.timedOut) {
    outcome = "failure";
    error = input.timeoutMs !== undefined ? `the step ran past its timeout-minutes` : "the job ran past its time limit";
  } else if (exit.exitCode !== 0) {
    outcome = "failure";
    error = exit.signal ? `the process was killed by ${exit.signal}` : `the process exited with code ${exit.exitCode}`;
  }
  if (errors.length > 0) {
    outcome = outcome === "cancelled" ? outcome : "failure";
    error = [error, ...errors].filter(Boolean).join("; ");
  }
  for (const warning of warnings) {
    annotations.push({ level: "warning", message: masker.mask(warning), stepIndex: input.stepIndex });
    await write(input, `##[warning]${warning}\n`);
  }
  if (error) await write(input, `##[error]${error}\n`);
  return { outcome, outputs, envAdded, pathAdded, annotations, state, ...(summary !== undefined ? { summary } : {}), ...(error ? { error } : {}) };
}
