// A runner's claim, as the engine decides it: the fair queue picks, Postgres records the attempt with its lease
// (dispatch/claim-job.ts), and then everything the attempt starts with — its job token, its timeout timer, the
// check run going in_progress, the run's workflow_run in_progress event — and what the runner is handed: the
// planned job with the workflow's env under its own, the run's facts (the `github` context), the `needs` and
// `strategy` contexts. The web's claim route adds only what needs its own keys: the GITHUB_TOKEN, the actions
// runtime token and the secrets.
import { hashToken, newToken, type Database, type TenantContext } from "@gantry/db";
import { requestCheckReports, scheduleJobTimeout, type Queues } from "@gantry/jobs";
import { assignedJob, strategyContext, type AssignedJob } from "@gantry/runner-protocol";
import type { FairScheduler } from "@gantry/scheduler";
import { claimJob, type ClaimedJob } from "../dispatch/claim-job";
import { readPlan, type StoredJob } from "../plan/read-plan";
import { runFacts, type GithubUrls, type RunFacts } from "../contexts/run-facts";
import { needsContext, type NeedsContext } from "../contexts/needs";
import { strategyFacts } from "../contexts/strategy";
import { githubContext } from "@gantry/runner-protocol";

export interface ClaimInput {
  poolId: string;
  runnerId: string;
  leaseMs: number;
  /** The pool's ceiling on timeout-minutes (PoolLimits.maxTimeoutMinutes). */
  maxTimeoutMinutes: number;
}

export interface ClaimAssignment {
  claimed: ClaimedJob;
  jobToken: string;
  /** timeout-minutes as applied: the job's, capped by the pool's ceiling. */
  timeoutMinutes: number;
  run: RunFacts;
  job: AssignedJob;
  /** The planned job as stored (permissions, environment, secrets references). */
  planned: StoredJob;
  needs: NeedsContext;
  strategy: Record<string, unknown>;
  /** The job row with its run and repository, for what the web adds (tokens, secrets). */
  row: Awaited<ReturnType<typeof loadJob>>;
}

function loadJob(db: Database, ctx: TenantContext, jobId: string) {
  return db.forTenant(ctx).jobRun.findUniqueOrThrow({
    where: { id: jobId },
    include: { run: { include: { repository: { include: { gitSource: { select: { url: true } }, installation: { select: { githubInstallationId: true } } } } } } },
  });
}

export async function claimAssignment(
  deps: { db: Database; scheduler: FairScheduler; queues: Pick<Queues, "add">; github?: (() => GithubUrls | null) | undefined },
  input: ClaimInput,
): Promise<ClaimAssignment | null> {
  const { db } = deps;
  const claimed = await claimJob(db, deps.scheduler, { poolId: input.poolId, runnerId: input.runnerId, leaseMs: input.leaseMs });
  if (!claimed) return null;
  const ctx: TenantContext = { tenantId: claimed.tenantId, actor: { kind: "RUNNER", id: input.runnerId } };
  const jobToken = newToken("gjt");
  await db.system("claim: the attempt's job token").jobAttempt.update({ where: { id: claimed.attemptId }, data: { jobTokenHash: hashToken(jobToken) } });
  const row = await loadJob(db, ctx, claimed.jobId);
  const plan = readPlan(row.run.plan);
  const planned = plan?.jobs.find((candidate) => candidate.key === row.key);
  // An unreadable plan cannot be run: say so in the job's failure rather than run guessed steps (the claim route
  // reports it as the attempt failing at once).
  if (!plan || !planned) throw new Error(`the stored plan of run ${row.runId} has no readable job ${row.key}`);
  const found = assignedJob.parse(planned);
  // The workflow's `env` under the job's own, as GitHub layers them (steps add theirs on top in the runner). A job of
  // a called workflow already has its own workflow's `env` under its own: the caller's does not reach it.
  const job = { ...found, env: row.callerId ? found.env : { ...plan.env, ...found.env } };
  const needRows = await db.forTenant(ctx).jobRun.findMany({ where: { id: { in: row.needs } }, select: { id: true, jobId: true, status: true, continueOnError: true, outputs: true } });
  const needs = needsContext(row, new Map(needRows.map((need) => [need.id, need])));
  const run = await runFacts(db, row.run, deps.github?.() ?? null, row);
  const facts = strategyFacts(plan, planned, { github: githubContext(run, row.jobId), inputs: run.inputs, needs, vars: {} });
  const timeoutMinutes = Math.min(row.timeoutMinutes, input.maxTimeoutMinutes);
  await scheduleJobTimeout(deps.queues, { tenantId: claimed.tenantId, jobId: claimed.jobId, attempt: claimed.attempt, startedAt: new Date(), timeoutMinutes });
  // QUEUED → RUNNING happens here, not in the worker: the job's GitHub check run goes in_progress.
  if (row.run.repository.installationId) await requestCheckReports(deps.queues, claimed.tenantId, [{ id: claimed.jobId, status: "RUNNING", attempt: claimed.attempt }]);
  // The run is RUNNING from its first claim: its workflow_run `in_progress` event now, not at the next job change
  // (the job id is the one advanceRun uses for this run and status, so every later claim of the run collapses into it).
  if (row.run.status === "RUNNING") await deps.queues.add("workflow-run-events", { tenantId: claimed.tenantId, runId: row.run.id }, `workflow-run-events-${row.run.id}-RUNNING${row.run.runAttempt > 1 ? `-r${row.run.runAttempt}` : ""}`);
  return { claimed, jobToken, timeoutMinutes, run, job, planned, needs, strategy: facts ? strategyContext(facts) : {}, row };
}
