// Re-runs (docs/runs.md): all jobs, the failed ones, or one job — each with every job that depends on what re-runs —
// as a new attempt of the same run (runAttempt + 1, `github.run_attempt`). The run keeps its number, its stored plan
// and its inputs; earlier attempts (logs, steps, outputs, conclusions) stay, and the run's conclusion is decided
// again from the jobs' latest states when the re-run jobs have ended. Which jobs re-run is decided here; the change
// itself is one conditional transition (transitions.rerunRun), so two requests for the same run attempt re-run once.
//
// Reusable workflow calls: a call runs nothing itself, it ends with its called jobs. So
// - re-running a call (chosen, or a dependent of something that re-runs) re-runs every job it called: the call goes
//   back to RUNNING with the inputs it was called with the first time (its called jobs are kept, not planned again);
//   a call that failed before calling anything goes back to QUEUED and calls again;
// - re-running a called job re-runs its dependents inside the called workflow, and its call waits for them again
//   (RUNNING) and then ends with the new result — so the call's own dependents re-run too.
// A dynamic matrix keeps the cells it was expanded into (they are in the plan); its placeholder never re-runs.
import { isAwaitingApproval, isTerminalRunStatus, transitions, wasNeverApproved, type Database, type JobRun, type TenantContext } from "@gantry/db";
import { requestCheckReports } from "@gantry/jobs";
import { readPlan } from "../plan/read-plan";
import type { RunHooks } from "./hooks";

export type RerunMode = "all" | "failed" | "job";

export interface RerunInput {
  mode: RerunMode;
  /** mode "job": a job key (one matrix cell, or a called job `<caller> / <job>`), or a workflow job id (all its cells). */
  jobKey?: string;
  /** Who asked (a user's email, `github:<login>`): recorded in the transitions' history. */
  actor: string;
}

export type RerunRefusal = "NOT_FOUND" | "ACTIVE" | "UNKNOWN_JOB" | "NOTHING_TO_RERUN" | "NOT_APPROVED";

/** A re-run that cannot happen, with what to do about it in the message. */
export class RerunRefused extends Error {
  constructor(
    readonly code: RerunRefusal,
    message: string,
  ) {
    super(message);
    this.name = "RerunRefused";
  }
}

export interface RerunResult {
  runId: string;
  /** false: another request re-ran this run attempt first (a double click, a redelivered webhook); nothing changed. */
  rerun: boolean;
  /** The run attempt the run is on now. */
  runAttempt: number;
  /** The jobs put back in line (QUEUED, or RUNNING for calls). */
  jobIds: string[];
}

const FAILED: ReadonlySet<JobRun["status"]> = new Set(["FAILED", "TIMED_OUT", "CANCELED"]);
const DEFAULT_RETRY_BUDGET = 3;

type RerunCandidate = Pick<JobRun, "id" | "key" | "jobId" | "status" | "needs" | "callerId">;

/** The jobs that re-run: the chosen ones, what they call, what depends on them, and the calls that wait for them. */
export function jobsToRerun<J extends RerunCandidate>(jobs: readonly J[], plannedKeys: ReadonlySet<string>, input: Pick<RerunInput, "mode" | "jobKey">): { chosen: J[]; all: Map<string, "QUEUED" | "RUNNING"> } {
  // An expanded dynamic matrix's placeholder is no longer in the plan (its cells are): it never re-runs.
  const eligible = jobs.filter((job) => plannedKeys.has(job.key));
  const called = (caller: J) => eligible.filter((job) => job.callerId === caller.id);
  let chosen: J[];
  if (input.mode === "all") chosen = eligible;
  else if (input.mode === "failed") {
    // A failed call re-runs through its failed called jobs; on its own only when none of them failed (its outputs
    // could not be evaluated) or it never called anything.
    chosen = eligible.filter((job) => FAILED.has(job.status) && !called(job).some((child) => FAILED.has(child.status)));
  } else {
    const byKey = eligible.filter((job) => job.key === input.jobKey);
    chosen = byKey.length > 0 ? byKey : eligible.filter((job) => job.jobId === input.jobKey && job.callerId === null);
  }
  // whole: the job and everything it called re-run; waiting: a call that only waits for its re-run called jobs.
  const whole = new Set<string>();
  const waiting = new Set<string>();
  const byId = new Map(eligible.map((job) => [job.id, job]));
  const visit = (job: J, asWhole: boolean): void => {
    if (whole.has(job.id) || (!asWhole && waiting.has(job.id))) return;
    (asWhole ? whole : waiting).add(job.id);
    if (asWhole) for (const child of called(job)) visit(child, true);
    for (const dependent of eligible) if (dependent.needs.includes(job.id)) visit(dependent, true);
    const caller = job.callerId ? byId.get(job.callerId) : undefined;
    if (caller) visit(caller, false);
  };
  for (const job of chosen) visit(job, true);
  // A call with called jobs waits for them again (RUNNING); anything else is decided again from its needs.
  const all = new Map<string, "QUEUED" | "RUNNING">();
  for (const id of [...whole, ...waiting]) {
    const job = byId.get(id);
    if (job) all.set(id, called(job).length > 0 ? "RUNNING" : "QUEUED");
  }
  return { chosen, all };
}

export async function rerun(db: Database, ctx: TenantContext, runId: string, input: RerunInput, hooks: RunHooks = {}): Promise<RerunResult> {
  const run = await db.forTenant(ctx).workflowRun.findUnique({ where: { id: runId }, include: { jobs: { orderBy: { createdAt: "asc" } } } });
  if (!run) throw new RerunRefused("NOT_FOUND", `Run ${runId} does not exist.`);
  if (isAwaitingApproval(run)) throw new RerunRefused("ACTIVE", `Run #${run.runNumber} is awaiting approval (${run.approvalRequired ?? ""}): a maintainer approves or cancels it on its page.`);
  // A fork's run cancelled while it waited for approval never ran: re-running it would run it without one.
  if (wasNeverApproved(run)) throw new RerunRefused("NOT_APPROVED", `Run #${run.runNumber} was never approved (${run.approvalRequired ?? ""}), so it cannot be re-run: a new push to the pull request makes a new run to approve.`);
  if (!isTerminalRunStatus(run.status)) {
    throw new RerunRefused("ACTIVE", `Run #${run.runNumber} is still ${run.status.toLowerCase()} (attempt ${run.runAttempt}): wait for it to end or cancel it, then re-run.`);
  }
  const plan = readPlan(run.plan);
  if (run.jobs.length === 0 || !plan) throw new RerunRefused("NOTHING_TO_RERUN", `Run #${run.runNumber} has no jobs to re-run (its workflow was invalid): push a fix to start a new run.`);
  const plannedKeys = new Set(plan.jobs.map((job) => job.key));
  const { chosen, all } = jobsToRerun(run.jobs, plannedKeys, input);
  if (chosen.length === 0) {
    if (input.mode === "job") {
      const existing = new Set(run.jobs.map((job) => job.key));
      const keys = plan.jobs.map((job) => job.key).filter((key) => existing.has(key));
      throw new RerunRefused("UNKNOWN_JOB", `Run #${run.runNumber} has no job ${input.jobKey ?? "(none given)"} (jobs: ${keys.join(", ")}).`);
    }
    throw new RerunRefused("NOTHING_TO_RERUN", `Run #${run.runNumber} has no failed or cancelled jobs to re-run (it ${run.status.toLowerCase()}).`);
  }
  const budget = new Map(plan.jobs.map((job) => [job.key, job.retry?.maxAttempts ?? DEFAULT_RETRY_BUDGET]));
  const what = input.mode === "job" ? `re-run of ${input.jobKey ?? ""}` : input.mode === "failed" ? "re-run of the failed jobs" : "re-run of all jobs";
  const outcome = await transitions.rerunRun(db.system("re-run a run"), ctx, {
    runId,
    expectedRunAttempt: run.runAttempt,
    // In the run's job order, so the history reads like the run.
    jobs: run.jobs.flatMap((job) => {
      const to = all.get(job.id);
      return to ? [{ id: job.id, to, retryBudget: budget.get(job.key) ?? DEFAULT_RETRY_BUDGET }] : [];
    }),
    reason: `${what} by ${input.actor}`,
  });
  if (!outcome.changed) {
    const now = await db.forTenant(ctx).workflowRun.findUnique({ where: { id: runId }, select: { runAttempt: true } });
    return { runId, rerun: false, runAttempt: now?.runAttempt ?? run.runAttempt, jobIds: [] };
  }
  // The re-run jobs' check runs go back to queued (advanceRun reports only jobs that started or ended).
  if (hooks.notify) {
    const moved = new Set(outcome.jobIds);
    const jobs = run.jobs.filter((job) => moved.has(job.id)).map((job) => ({ id: job.id, status: all.get(job.id) ?? "QUEUED", attempt: job.attempt, runAttempt: outcome.runAttempt }));
    await requestCheckReports(hooks.notify, ctx.tenantId, jobs);
  }
  return { runId, rerun: true, runAttempt: outcome.runAttempt, jobIds: outcome.jobIds };
}
