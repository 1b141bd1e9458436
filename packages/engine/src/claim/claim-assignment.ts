// A runner's claim, as the engine decides it: the fair queue picks, Postgres records the attempt with its lease
// (dispatch/claim-job.ts), and then everything the attempt starts with — its job token, its timeout timer, the
// check run going in_progress, the run's workflow_run in_progress event — and what the runner is handed: the
// planned job with the workflow's env under its own, the run's facts (the `github` context), the `needs` and
// `strategy` contexts, and the job's secrets. The web's claim route adds only what needs its own keys: the
// GITHUB_TOKEN (the GitHub App's key) and the actions runtime token.
import { hashToken, newToken, type Database, type JobRun, type TenantContext, type WorkflowRun } from "@gantry/db";
import { requestCheckReports, scheduleJobTimeout, type Queues } from "@gantry/jobs";
import { assignedJob, strategyContext, type AssignedJob } from "@gantry/runner-protocol";
import type { FairScheduler } from "@gantry/scheduler";
import { BATCH_LANES, claimJob, claimJobs, type ClaimedJob } from "../dispatch/claim-job";
import { settleBounded } from "../dispatch/settle-bounded";
import { readJobPlan } from "../plan/read-job-plan";
import type { StoredJob } from "../plan/read-plan";
import { runFacts, type GithubUrls, type RunFacts } from "../contexts/run-facts";
import { needsContext, type NeedsContext } from "../contexts/needs";
import { cellStrategy } from "../contexts/strategy";
import { claimedJobVariables, type VarsContext } from "../contexts/variables";
import { githubContext } from "@gantry/runner-protocol";
import { secretsForClaim } from "../secrets/secrets-for-claim";
import type { Clock } from "../clock";

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
  /** The `vars` context: the tenant's, repository's and environment's variables, narrowest winning. */
  vars: VarsContext;
  strategy: Record<string, unknown>;
  /** The job's secrets, for the runner: empty for an untrusted run or a pool that may not receive them. */
  secrets: Record<string, string>;
  /** The job row with its run and repository, for what the web adds (its GITHUB_TOKEN, the actions runtime token). */
  row: ClaimedRow;
}

/** What the claim and the web's answer need of the job's repository. */
export interface ClaimRepository {
  id: string;
  fullName: string;
  installationId: string | null;
  githubRepoId: bigint | null;
  gitSource: { url: string } | null;
  installation: { githubInstallationId: bigint } | null;
}

/** The run without its plan: a claim reads only its job's part of the plan (readJobPlan). */
export type ClaimedRow = JobRun & { run: Omit<WorkflowRun, "plan"> & { repository: ClaimRepository } };

/**
 * The job with its run and the run's repository, read at once: the job and the run through the tenant's scope,
 * the repository with its git source and installation in one joined statement (Prisma's include would read them one
 * after another) — three round trips in parallel instead of five in a row.
 */
async function loadJob(db: Database, ctx: TenantContext, claimed: ClaimedJob): Promise<ClaimedRow> {
  const scoped = db.forTenant(ctx);
  const [job, run, repositories] = await Promise.all([
    scoped.jobRun.findUniqueOrThrow({ where: { id: claimed.jobId } }),
    scoped.workflowRun.findUniqueOrThrow({ where: { id: claimed.runId }, omit: { plan: true } }),
    db.system("claim: the run's repository with its git source and installation, of the claimed job's tenant").$queryRaw<
      { id: string; fullName: string; installationId: string | null; githubRepoId: bigint | null; gitSourceUrl: string | null; githubInstallationId: bigint | null }[]
    >`
      SELECT r."id", r."fullName", r."installationId", r."githubRepoId", g."url" AS "gitSourceUrl", i."githubInstallationId"
      FROM "WorkflowRun" w JOIN "Repository" r ON r."id" = w."repositoryId" AND r."tenantId" = w."tenantId"
      LEFT JOIN "GitSource" g ON g."id" = r."gitSourceId" LEFT JOIN "Installation" i ON i."id" = r."installationId"
      WHERE w."id" = ${claimed.runId} AND w."tenantId" = ${ctx.tenantId}`,
  ]);
  const found = repositories[0];
  if (!found) throw new Error(`run ${claimed.runId} has no repository of tenant ${ctx.tenantId}`);
  const { gitSourceUrl, githubInstallationId, ...repository } = found;
  return {
    ...job,
    run: {
      ...run,
      repository: {
        ...repository,
        gitSource: gitSourceUrl !== null ? { url: gitSourceUrl } : null,
        installation: githubInstallationId !== null ? { githubInstallationId } : null,
      },
    },
  };
}

type ClaimDeps = { db: Database; scheduler: FairScheduler; queues: Pick<Queues, "add">; github?: (() => GithubUrls | null) | undefined; masterKey: Buffer | null; log: (line: string) => void; clock: Clock };

export async function claimAssignment(deps: ClaimDeps, input: ClaimInput): Promise<ClaimAssignment | null> {
  // The token is made before the claim so its hash is written with the attempt, in the same statement.
  const jobToken = newToken("gjt");
  const claimed = await claimJob(deps.db, deps.scheduler, { poolId: input.poolId, runnerId: input.runnerId, leaseMs: input.leaseMs, jobTokenHash: hashToken(jobToken), nowMs: deps.clock.now() });
  return claimed ? prepareAssignment(deps, input, claimed, jobToken) : null;
}

/**
 * Up to `max` assignments for one runner from one pick of the fair queue (a runner with free slots asks for as
 * many as it has: one request, one runner check and one queue script instead of one each per job). Each is
 * prepared as `claimAssignment` prepares one, side by side.
 */
export async function claimAssignments(deps: ClaimDeps, input: ClaimInput, max: number): Promise<ClaimAssignment[]> {
  const tokens = Array.from({ length: max }, () => newToken("gjt"));
  const claimed = await claimJobs(deps.db, deps.scheduler, { poolId: input.poolId, runnerId: input.runnerId, leaseMs: input.leaseMs, nowMs: deps.clock.now() }, tokens.map(hashToken));
  // Each claimed attempt exists in Postgres with its lease by now: one that cannot be prepared must not take the
  // others down with it (they would sit assigned to a runner that never heard of them until their leases lapse).
  const prepared = await settleBounded(claimed, BATCH_LANES, ({ claimed: one, tokenIndex }) => prepareAssignment(deps, input, one, tokens[tokenIndex]!));
  const failed = prepared.flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
  const assignments = prepared.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  if (failed.length > 0 && assignments.length === 0) throw failed[0];
  for (const reason of failed) deps.log(`claim: an assignment could not be prepared; its lease will lapse and the reaper retries it: ${reason instanceof Error ? reason.message : String(reason)}`);
  return assignments;
}

/** Everything a claimed attempt starts with: its job, contexts and secrets, its timer and reports. */
async function prepareAssignment(deps: ClaimDeps, input: ClaimInput, claimed: ClaimedJob, jobToken: string): Promise<ClaimAssignment> {
  const { db } = deps;
  const ctx: TenantContext = { tenantId: claimed.tenantId, actor: { kind: "RUNNER", id: input.runnerId } };
  const [row, vars, jobPlan] = await Promise.all([loadJob(db, ctx, claimed), claimedJobVariables(db, ctx, claimed), readJobPlan(db, claimed.tenantId, claimed.jobId)]);
  // An unreadable plan cannot be run: say so in the job's failure rather than run guessed steps (the claim route
  // reports it as the attempt failing at once).
  if (!jobPlan) throw new Error(`the stored plan of run ${row.runId} has no readable job ${row.key}`);
  const { plan, planned, place } = jobPlan;
  const found = assignedJob.parse(planned);
  // The workflow's `env` under the job's own, as GitHub layers them (steps add theirs on top in the runner). A job of
  // a called workflow already has its own workflow's `env` under its own: the caller's does not reach it.
  const job = { ...found, env: row.callerId ? found.env : { ...plan.env, ...found.env } };
  // The needs' rows and the run's facts (its event payload) are independent reads: at once. A job without needs reads none.
  // The job's secrets are read beside them too (none for a job that references none: no statement).
  const [needRows, run, secrets] = await Promise.all([
    row.needs.length > 0 ? db.forTenant(ctx).jobRun.findMany({ where: { id: { in: row.needs } }, select: { id: true, jobId: true, status: true, continueOnError: true, outputs: true } }) : [],
    runFacts(db, row.run, deps.github?.() ?? null, row),
    secretsForClaim(db, { id: input.poolId, receivesSecrets: claimed.receivesSecrets }, deps.masterKey, { tenantId: claimed.tenantId, key: row.key, environmentName: row.environmentName, run: { repositoryId: row.run.repositoryId, trusted: row.run.trusted, plan } }, deps.log),
  ]);
  const needs = needsContext(row, new Map(needRows.map((need) => [need.id, need])));
  const facts = place ? cellStrategy(planned, place, { github: githubContext(run, row.jobId), inputs: run.inputs, needs, vars }) : null;
  const timeoutMinutes = Math.min(row.timeoutMinutes, input.maxTimeoutMinutes);
  // What the attempt starts with in Redis, all added before the claim answers (a crash after the answer loses none
  // of them), side by side: they do not depend on each other.
  await Promise.all([
    scheduleJobTimeout(deps.queues, { tenantId: claimed.tenantId, jobId: claimed.jobId, attempt: claimed.attempt, startedAt: new Date(deps.clock.now()), timeoutMinutes }, deps.clock.now()),
    // QUEUED → RUNNING happens here, not in the worker: the job's GitHub check run goes in_progress.
    row.run.repository.installationId ? requestCheckReports(deps.queues, claimed.tenantId, [{ id: claimed.jobId, status: "RUNNING", attempt: claimed.attempt }]) : undefined,
    // The run is RUNNING from its first claim: its workflow_run `in_progress` event now, not at the next job change
    // (the job id is the one advanceRun uses for this run and status, so every later claim of the run collapses into it).
    row.run.status === "RUNNING" ? deps.queues.add("workflow-run-events", { tenantId: claimed.tenantId, runId: row.run.id }, `workflow-run-events-${row.run.id}-RUNNING${row.run.runAttempt > 1 ? `-r${row.run.runAttempt}` : ""}`) : undefined,
  ]);
  return { claimed, jobToken, timeoutMinutes, run, job, planned, needs, vars, strategy: facts ? strategyContext(facts) : {}, secrets, row };
}
