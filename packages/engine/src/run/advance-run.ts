// DAG advancement (STYLE.md practice 12: each job starts when its own needs are done, never in layers).
// Called after intake and whenever a job ends. Every change is a conditional transition, so two workers
// advancing the same run at once cannot double-start, double-skip or double-finish anything.
import { isTerminalRunStatus, transitions, type Database, type JobRun, type Prisma, type TenantContext, type WorkflowRun } from "@gantry/db";
import { githubContext, strategyContext } from "@gantry/runner-protocol";
import { resultOf, runConclusion } from "../contexts/conclusions";
import { admitJobIn, evaluateConcurrency, releaseJobGroup, releaseRunGroup } from "./concurrency";
import { admitUnderMaxParallel, cancelMatrixSiblings, evaluateContinueOnError, triggersFailFast } from "./matrix-controls";
import { evaluateJobCondition } from "./job-condition";
import { expandDynamicMatrix } from "./dynamic-matrix";
import { finishEndedCalls, startCall } from "./reusable-call";
import { evaluateRunsOn } from "./runs-on";
import { requestRunCheckReports } from "./check-reports";
import { requestWorkflowRunEvents } from "./workflow-run-events";
import { checkEnvironmentGate, evaluateEnvironmentName } from "./environment-gate";
import { systemClock } from "../clock";
import { jobVariables, type VarsContext } from "../contexts/variables";
import { readPlan } from "../plan/read-plan";
import { REPOSITORY_FOR_FACTS, inputsContext, runFacts, type GithubUrls, type RunFacts } from "../contexts/run-facts";
import { needsContext } from "../contexts/needs";
import { matrixCells, strategyFacts } from "../contexts/strategy";
import type { RunHooks } from "./hooks";


export interface AdvanceResult {
  ready: string[];
  skipped: string[];
  failed: string[];
  /** Matrix cells cancelled by fail-fast. */
  cancelled: string[];
  /** Jobs held at their environment's gate, and when to look again (the worker sets a timer for each). */
  held: { jobId: string; dueAt: Date }[];
  finished?: "SUCCEEDED" | "FAILED" | "CANCELED";
}

function ancestorsFailed(job: JobRun, byId: Map<string, JobRun>, seen = new Set<string>()): boolean {
  for (const needId of job.needs) {
    if (seen.has(needId)) continue;
    seen.add(needId);
    const need = byId.get(needId);
    if (!need) continue;
    if (resultOf(need) === "failure") return true;
    if (ancestorsFailed(need, byId, seen)) return true;
  }
  return false;
}

export interface AdvanceOptions extends RunHooks {
  /** GitHub's URLs for the `github` context of GitHub-connected runs (server_url, api_url). */
  github?: GithubUrls | null;
}

export async function advanceRun(db: Database, ctx: TenantContext, runId: string, hooks: AdvanceOptions = {}): Promise<AdvanceResult> {
  const sys = db.system("advancing a run's DAG");
  const result: AdvanceResult = { ready: [], skipped: [], failed: [], cancelled: [], held: [] };
  const { onReady } = hooks;
  // The run's facts (its github context) do not change while it advances: read once, when a job needs them.
  let facts: RunFacts | null = null;
  // Likewise the tenant's and repository's variables (the `vars` context of job-level expressions).
  let vars: VarsContext | null = null;
  // Most advances follow a job's end while the rest run (a matrix's cells ending one by one): nothing to decide, only
  // whether the run is over. That is seen from the jobs' statuses alone, without the run's plan and full job rows.
  const glance = await glanceAt(db, ctx, runId);
  if (glance.nothingToDecide) await concludeIfEnded(db, ctx, runId, glance.jobs, result);
  // Skips cascade (a skipped need may skip its dependents), so repeat until a pass changes nothing.
  for (let pass = 0; pass < 10_000 && !glance.nothingToDecide; pass++) {
    const run = await db.forTenant(ctx).workflowRun.findUnique({ where: { id: runId }, include: { jobs: true, repository: REPOSITORY_FOR_FACTS } });
    // A run held by its concurrency group (WAITING) starts nothing until the group admits it.
    if (!run || run.status === "WAITING" || isTerminalRunStatus(run.status)) break;
    const plan = readPlan(run.plan);
    const planned = new Map((plan?.jobs ?? []).map((job) => [job.key, job]));
    const byId = new Map(run.jobs.map((job) => [job.id, job]));
    const byKey = new Map(run.jobs.map((job) => [job.key, job]));
    // In plan order, so the cells a max-parallel cap lets through go in expansion order.
    const order = new Map((plan?.jobs ?? []).map((job, index) => [job.key, index]));
    const jobs = [...run.jobs].sort((a, b) => (order.get(a.key) ?? Infinity) - (order.get(b.key) ?? Infinity));
    const contextsOf = async (job: JobRun) => {
      facts ??= await runFacts(db, run, hooks.github ?? null);
      vars ??= await jobVariables(db, ctx, { repositoryId: run.repositoryId });
      const base = { github: githubContext(facts, job.jobId), needs: needsContext(job, byId), matrix: job.matrix ?? {}, inputs: inputsContext(run, job), vars };
      const own = planned.get(job.key);
      const strategy = plan && own ? strategyFacts(plan, own, base) : null;
      return { contexts: { ...base, strategy: strategy ? strategyContext(strategy) : {} }, strategy };
    };
    let changed = false;
    // Fail-fast first, so a failed cell's QUEUED siblings are cancelled before this pass could start them.
    for (const job of jobs) {
      const own = planned.get(job.key);
      if (!plan || !own?.matrix || resultOf(job) !== "failure") continue;
      const siblings = matrixCells(plan, own).flatMap((cell) => byKey.get(cell.key) ?? []);
      if (!siblings.some((cell) => cell.id !== job.id && resultOf(cell) === null)) continue;
      if (!triggersFailFast(job, (await contextsOf(job)).strategy)) continue;
      const cancelled = await cancelMatrixSiblings(db, ctx, job, siblings);
      result.cancelled.push(...cancelled);
      if (cancelled.length > 0) changed = true;
    }
    if (changed) continue;
    const fullMatrices = new Set<string>();
    for (const job of jobs) {
      if (job.status !== "QUEUED") continue;
      const needs = job.needs.map((id) => byId.get(id));
      if (needs.some((need) => !need || resultOf(need) === null)) continue;
      const { contexts, strategy } = await contextsOf(job);
      const own = planned.get(job.key);
      const decision = evaluateJobCondition(
        planned.get(job.key)?.if,
        contexts,
        {
          allNeedsSucceeded: needs.every((need) => need !== undefined && resultOf(need) === "success"),
          anyAncestorFailed: ancestorsFailed(job, byId),
          runCancelled: false,
        },
      );
      if (!decision.ok) {
        if ((await transitions.failUnstartedJob(sys, ctx, job.id, `could not evaluate if: ${decision.error}`)).changed) result.failed.push(job.id);
      } else if (decision.run) {
        if (planned.get(job.key)?.dynamicMatrix !== undefined) {
          // Its cells take its place (QUEUED, the same needs), and the next pass decides each of them.
          const expansion = await expandDynamicMatrix(db, ctx, run, job, contexts);
          if (!expansion.ok && (await transitions.failUnstartedJob(sys, ctx, job.id, `could not expand the matrix: ${expansion.error}`)).changed) result.failed.push(job.id);
          changed = true;
          continue;
        }
        // A capped matrix's cell goes through only while fewer than max-parallel of its cells are active; once its
        // matrix is found full, the rest of its cells wait for the next advance without asking again.
        const cap = strategy?.maxParallel;
        const matrixKey = `${own?.calledBy ?? ""}\u0000${job.jobId}`;
        if (cap !== undefined && fullMatrices.has(matrixKey)) continue;
        const underCap = async <T>(admit: (tx: Prisma.TransactionClient, reason: string) => Promise<T>) => {
          if (!plan || !own || cap === undefined) return sys.$transaction(async (tx) => ({ admitted: true as const, value: await admit(tx, "needs met") }));
          const admission = await admitUnderMaxParallel(sys, ctx, { runId, jobId: job.jobId, calledBy: own.calledBy, cellKeys: matrixCells(plan, own).map((cell) => cell.key) }, cap, admit);
          if (!admission.admitted) fullMatrices.add(matrixKey);
          return admission;
        };
        if (planned.get(job.key)?.uses !== undefined) {
          // Its called jobs join the run (QUEUED) and the next pass decides each of them; the caller waits RUNNING.
          const admission = await underCap((tx) => startCall(db, ctx, run, job, contexts, tx));
          if (!admission.admitted) continue;
          const call = admission.value;
          if (!call.ok && (await transitions.failUnstartedJob(sys, ctx, job.id, `could not call ${planned.get(job.key)?.uses ?? "the reusable workflow"}: ${call.error}`)).changed) result.failed.push(job.id);
          changed = true;
          continue;
        }
        const gate = await passEnvironmentGate(db, ctx, run, job, planned.get(job.key)?.environment?.name, contexts, new Date((hooks.clock ?? systemClock).now()));
        if (gate.kind === "held") {
          result.held.push({ jobId: job.id, dueAt: gate.dueAt });
          continue;
        }
        if (gate.kind === "refused") {
          if ((await transitions.failUnstartedJob(sys, ctx, job.id, gate.reason)).changed) result.failed.push(job.id);
          changed = true;
          continue;
        }
        const runsOn = evaluateRunsOn(planned.get(job.key)?.runsOn, contexts);
        if (!runsOn.ok) {
          if ((await transitions.failUnstartedJob(sys, ctx, job.id, `could not evaluate runs-on: ${runsOn.error}`)).changed) result.failed.push(job.id);
          changed = true;
          continue;
        }
        if (runsOn.labels) await transitions.setJobPoolLabels(sys, ctx, job.id, runsOn.labels);
        const continueOnError = evaluateContinueOnError(own?.continueOnError ?? false, contexts);
        if (!continueOnError.ok) {
          if ((await transitions.failUnstartedJob(sys, ctx, job.id, `could not evaluate continue-on-error: ${continueOnError.error}`)).changed) result.failed.push(job.id);
          changed = true;
          continue;
        }
        if (continueOnError.value !== job.continueOnError) await transitions.setJobContinueOnError(sys, ctx, job.id, continueOnError.value);
        const concurrency = evaluateConcurrency(planned.get(job.key)?.concurrency, contexts);
        // QUEUED → WAITING, with the job's group (if any) deciding whether it is held; in the caller's transaction.
        const admit = async (tx: Prisma.TransactionClient, reason: string) => {
          if (!concurrency) return { admitted: (await transitions.markJobWaiting(tx, ctx, job.id, reason)).changed, cancel: [] };
          return admitJobIn(tx, ctx, job.id, concurrency, reason);
        };
        const admission = await underCap(admit);
        // Held by max-parallel: it stays QUEUED, and the advance that follows a cell's end lets it through.
        if (!admission.admitted) continue;
        if (admission.value.admitted) result.ready.push(job.id);
        if (concurrency) {
          for (const other of admission.value.cancel) await transitions.cancelJob(sys, ctx, other, `superseded in concurrency group ${concurrency.group}`);
          for (const other of admission.value.cancel) await advanceOwningRun(db, ctx, other, hooks);
        }
      } else if ((await transitions.skipJob(sys, ctx, job.id, "if evaluated to false")).changed) {
        result.skipped.push(job.id);
      }
      changed = true;
    }
    const callContexts = async () => {
      facts ??= await runFacts(db, run, hooks.github ?? null);
      vars ??= await jobVariables(db, ctx, { repositoryId: run.repositoryId });
      return { github: githubContext(facts), vars };
    };
    if ((await finishEndedCalls(db, ctx, run, callContexts)).length > 0) changed = true;
    if (!changed) {
      const fresh = await db.forTenant(ctx).jobRun.findMany({ where: { runId }, select: { status: true, continueOnError: true } });
      await concludeIfEnded(db, ctx, runId, fresh, result);
      break;
    }
  }
  if (result.ready.length > 0) await onReady?.(result.ready);
  await releaseGroups(db, ctx, runId, hooks);
  // Every job change the engine makes ends here (or in cancelRun): GitHub hears of it from this point.
  await requestRunCheckReports(db, ctx, runId, hooks.notify);
  await requestWorkflowRunEvents(db, ctx, runId, hooks.notify);
  return result;
}

type JobStatusRow = Pick<JobRun, "status" | "continueOnError">;

/**
 * The run's jobs by status only, and whether a full pass would decide nothing: the run is active (not held by its
 * concurrency group, not ended), and no job is QUEUED (waiting on its needs, a gate, max-parallel or its expansion),
 * none failed (fail-fast could cancel siblings) and none belongs to a reusable call (its caller may end).
 */
async function glanceAt(db: Database, ctx: TenantContext, runId: string): Promise<{ nothingToDecide: boolean; jobs: JobStatusRow[] }> {
  const run = await db.forTenant(ctx).workflowRun.findUnique({ where: { id: runId }, select: { status: true } });
  if (!run || run.status === "WAITING" || isTerminalRunStatus(run.status)) return { nothingToDecide: false, jobs: [] };
  const jobs = await db.forTenant(ctx).jobRun.findMany({ where: { runId }, select: { status: true, continueOnError: true, callerId: true } });
  const nothingToDecide = jobs.every((job) => job.status !== "QUEUED" && job.callerId === null && resultOf(job) !== "failure");
  return { nothingToDecide, jobs };
}

/** Every job ended: the run's conclusion is recorded (a conditional transition: once). */
async function concludeIfEnded(db: Database, ctx: TenantContext, runId: string, jobs: JobStatusRow[], result: AdvanceResult): Promise<void> {
  if (jobs.length === 0 || jobs.some((job) => resultOf(job) === null)) return;
  const conclusion = runConclusion(jobs);
  if ((await transitions.finishRun(db.system("advancing a run's DAG"), ctx, runId, conclusion, "every job ended")).changed) result.finished = conclusion;
}

/** The job's environment gate; a job without `environment:` passes. */
async function passEnvironmentGate(db: Database, ctx: TenantContext, run: WorkflowRun, job: JobRun, name: string | undefined, contexts: Record<string, unknown>, now: Date) {
  const environment = evaluateEnvironmentName(name, contexts);
  if (!environment.ok) return { kind: "refused" as const, reason: `could not evaluate environment: ${environment.error}` };
  if (!environment.name) return { kind: "open" as const };
  return checkEnvironmentGate(db, ctx, { id: job.id, repositoryId: run.repositoryId, ref: run.ref }, environment.name, now);
}

/** Frees the concurrency groups this run's ended jobs (and the run itself, once ended) held. */
export async function releaseGroups(db: Database, ctx: TenantContext, runId: string, hooks: AdvanceOptions = {}): Promise<void> {
  const sys = db.system("release concurrency groups");
  const run = await db.forTenant(ctx).workflowRun.findUnique({
    where: { id: runId },
    select: { status: true, concurrencyGroup: true, jobs: { where: { concurrencyGroup: { not: null } }, select: { status: true, concurrencyGroup: true } } },
  });
  if (!run) return;
  const groups = new Set(run.jobs.filter((job) => isTerminalRunStatus(job.status)).map((job) => job.concurrencyGroup ?? ""));
  for (const group of groups) {
    const freed = group ? await releaseJobGroup(sys, ctx, group) : null;
    if (freed) await hooks.onReady?.([freed]);
  }
  if (run.concurrencyGroup && isTerminalRunStatus(run.status)) {
    const admitted = await releaseRunGroup(sys, ctx, run.concurrencyGroup);
    if (admitted) await advanceRun(db, ctx, admitted, hooks);
  }
}

async function advanceOwningRun(db: Database, ctx: TenantContext, jobId: string, hooks: AdvanceOptions) {
  const job = await db.forTenant(ctx).jobRun.findUnique({ where: { id: jobId }, select: { runId: true } });
  if (job) await advanceRun(db, ctx, job.runId, hooks);
}
