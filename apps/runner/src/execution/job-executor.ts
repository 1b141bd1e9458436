// Runs a planned job's steps in a prepared sandbox with GitHub's semantics and reports through callbacks.
// The caller owns the sandbox (prepare before, destroy after) and the LogStream (close after).
import type { PlannedStep } from "@gantry/workflow-schema";
import type { Annotation } from "./annotations";
import { evaluateCondition, truthy, type JobStatus } from "./conditions";
import { interpolate, interpolateMap } from "./interpolate";
import { maskAnnotation, maskStepReport } from "./masked-report";
import { Masker } from "./masker";
import { writeEventFile } from "./step-files";
import { runStep, type StepRunResult } from "./step-runner";
import type { ExecuteJobOptions, JobResult, StepReport } from "./types";
import { nativePending, type PendingPost } from "./action-posts";
import { isLocalAction } from "./local-action";
import { RemoteActions } from "./remote-action";
import { evaluateExpression, type ExprFunction } from "@gantry/workflow-schema";
import { hashFiles } from "./hash-files";

/**
 * The name the step is shown by: its `name:` evaluated with the job's contexts as the step starts (as GitHub does:
 * `Test on ${{ matrix.node }}`, `Deploy ${{ github.ref_name }}`; the compiler substitutes only matrix-only pieces),
 * kept as written when it cannot be evaluated; without a name, "Run <first line>" or the action.
 */
function stepName(step: PlannedStep, contexts: Record<string, unknown>, functions: Record<string, ExprFunction>): string {
  if (step.name !== undefined) {
    const evaluated = interpolate(step.name, contexts, "name", functions);
    return evaluated.ok && evaluated.value.trim() !== "" ? evaluated.value : step.name;
  }
  return (step.run !== undefined ? `Run ${step.run.split("\n")[0] ?? ""}` : step.uses) ?? `step ${step.index}`;
}

function continueOnError(step: PlannedStep, contexts: Record<string, unknown>, functions: Record<string, ExprFunction>): boolean {
  if (typeof step.continueOnError === "boolean") return step.continueOnError;
  const result = evaluateExpression(step.continueOnError, contexts, functions);
  return result.ok && truthy(result.value);
}

export async function executeJob(options: ExecuteJobOptions): Promise<JobResult> {
  const { job, sandbox, log } = options;
  const signal = options.signal ?? new AbortController().signal;
  const secrets = options.contexts.secrets ?? {};
  // The runtime token actions get (ACTIONS_RUNTIME_TOKEN) is a credential like the secrets.
  const masker = new Masker([...Object.values(secrets), ...(options.actions?.runtimeToken ? [options.actions.runtimeToken] : [])]);
  const stepsContext: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
  const reports: StepReport[] = [];
  const annotations: Annotation[] = [];
  let status: JobStatus = "success";
  let jobEnv: Record<string, string> = {};
  let extraPath: string[] = [];
  const posts: PendingPost[] = [];
  const remote = options.actions ? new RemoteActions(options.actions, sandbox) : undefined;
  const functions = { hashFiles: hashFiles(sandbox.hostPaths.workspace, sandbox.paths.workspace) };

  const contexts = (): Record<string, unknown> => ({
    github: { ...options.contexts.github, workspace: sandbox.paths.workspace, job: job.jobId },
    env: jobEnv,
    matrix: job.matrix ?? {},
    needs: options.contexts.needs ?? {},
    strategy: options.contexts.strategy ?? {},
    steps: stepsContext,
    job: { status },
    runner: { os: "Linux", arch: process.arch === "arm64" ? "ARM64" : "X64", temp: sandbox.paths.temp, name: "gantry" },
    secrets,
    inputs: options.contexts.inputs ?? {},
    vars: options.contexts.vars ?? {},
  });

  writeEventFile(sandbox, options.contexts.github.event);

  // The job's own env: evaluated once, before the first step, with the contexts a job env may use.
  const evaluatedJobEnv = interpolateMap(job.env, contexts(), "env", functions);
  if (!evaluatedJobEnv.ok) {
    await log.write(0, `##[error]${masker.mask(evaluatedJobEnv.error)}\n`);
    return { conclusion: "failure", outputs: {}, steps: [], annotations: [{ level: "error", message: masker.mask(evaluatedJobEnv.error), stepIndex: 0 }] };
  }
  jobEnv = evaluatedJobEnv.value;

  // As on GitHub, the job's remote actions are fetched before its first step and their pre phases run then, in order
  // (pre-if defaults to always()); a failing pre fails the job. Steps that cannot be fetched fail when they run.
  const nativeActions = options.nativeActions ?? {};
  const isRemote = (uses: string | undefined) => uses !== undefined && !isLocalAction(uses) && !nativeActions[uses.split("@")[0] ?? uses];
  for (const step of job.steps) {
    if (!remote || !isRemote(step.uses) || signal.aborted) continue;
    const pre = await runStep({ step, jobId: job.jobId, sandbox, contexts: contexts(), jobEnv, extraPath, functions, masker, log, signal, debug: options.debug ?? false, nativeActions, remote, prePhase: true });
    annotations.push(...pre.annotations);
    if (pre.outcome !== "success") {
      status = pre.outcome === "cancelled" ? "cancelled" : "failure";
      annotations.push({ level: "error", message: masker.mask(`pre ${step.uses ?? ""}: ${pre.error ?? pre.outcome}`), stepIndex: step.index });
    }
  }

  for (const step of job.steps) {
    if (signal.aborted) status = "cancelled";
    const startedAt = Date.now();
    const ctx = contexts();
    const name = stepName(step, ctx, functions);
    const condition = evaluateCondition(step.if, ctx, status, functions);
    let result: StepRunResult | undefined;
    let outcome: StepReport["outcome"];
    if (!condition.ok) {
      result = { outcome: "failure", outputs: {}, envAdded: {}, pathAdded: [], annotations: [], error: condition.error };
      outcome = "failure";
      await log.write(step.index, `##[error]${masker.mask(condition.error)}\n`);
    } else if (!condition.run) {
      outcome = "skipped";
    } else {
      await options.onStepStart?.({ index: step.index, ...(step.id ? { id: step.id } : {}), name: masker.mask(name), startedAt });
      // A step that runs after cancellation (always(), cancelled()) is not cut short by the same cancel.
      const stepSignal = status === "cancelled" ? new AbortController().signal : signal;
      result = await runStep({ step, jobId: job.jobId, sandbox, contexts: ctx, jobEnv, extraPath, functions, masker, log, signal: stepSignal, debug: options.debug ?? false, nativeActions, ...(remote ? { remote } : {}) });
      outcome = result.outcome;
      jobEnv = { ...jobEnv, ...result.envAdded };
      if (result.post) posts.push(nativePending(step.index, result.post));
      posts.push(...(result.posts ?? []));
      // The last directory added is searched first.
      extraPath = [...[...result.pathAdded].reverse(), ...extraPath];
    }
    const mayContinue = outcome === "failure" && continueOnError(step, ctx, functions);
    const conclusion = mayContinue ? "success" : outcome;
    if (conclusion === "failure" && status === "success") status = "failure";
    if (outcome === "cancelled") status = "cancelled";
    const outputs = result?.outputs ?? {};
    if (step.id) stepsContext[step.id] = { outputs, outcome, conclusion };
    // The steps context above keeps outputs in clear; what leaves the runner is masked.
    const report = maskStepReport(
      {
        index: step.index,
        ...(step.id ? { id: step.id } : {}),
        name,
        outcome,
        conclusion,
        outputs,
        annotations: result?.annotations ?? [],
        startedAt,
        finishedAt: Date.now(),
        ...(result?.summary !== undefined ? { summary: result.summary } : {}),
        ...(result?.error !== undefined ? { error: result.error } : {}),
      },
      masker,
    );
    annotations.push(...report.annotations);
    reports.push(report);
    await options.onStepFinish?.(report);
  }
  if (signal.aborted) status = "cancelled";
  // Post steps, last first, as GitHub runs them, whatever the status (each decides with it); the native ones
  // (actions/cache) only save after success. After a cancel they still run, not cut short by the same cancel.
  const postStatus = status;
  const postSignal = status === "cancelled" ? new AbortController().signal : signal;
  for (const { index, run } of posts.reverse()) {
    const ran = await run({ status: postStatus, write: (text) => log.write(index, masker.mask(text)), signal: postSignal });
    if (ran.error) {
      await log.write(index, `##[error]${masker.mask(ran.error)}\n`);
      annotations.push({ level: "error", message: masker.mask(ran.error), stepIndex: index });
      if (status === "success") status = "failure";
    }
  }

  const outputs: Record<string, string> = {};
  const finalContexts = contexts();
  for (const [key, expression] of Object.entries(job.outputs)) {
    const value = interpolate(expression, finalContexts, `outputs.${key}`, functions);
    if (!value.ok) {
      annotations.push({ level: "warning", message: masker.mask(value.error), stepIndex: -1 });
      continue;
    }
    // GitHub drops an output that would carry a secret to other jobs.
    if (masker.mask(value.value) !== value.value) {
      annotations.push({ level: "warning", message: `output ${key} was skipped: it may contain a secret`, stepIndex: -1 });
      continue;
    }
    outputs[key] = value.value;
  }
  // Masked again with every value registered by the job's end (a step's own were masked at its end).
  return { conclusion: status, outputs, steps: reports, annotations: annotations.map((annotation) => maskAnnotation(annotation, masker)) };
}
