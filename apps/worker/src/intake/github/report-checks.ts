// Check runs for a GitHub run's jobs: one per job, named `<workflow> / <job>`, in the job's current state
// (intake creates them queued; the report-check job moves them on as the jobs run and end).
// The workflow itself gets a check of its own when it has something to say: an invalid workflow a failed one with
// every error, a valid one with validation warnings a neutral one (workflow-check-output.ts).
// A fork's run held for approval shows each job's check completed "action_required" with the reason, as run
// attempt 0 (check-runs.ts); approving it resets them to queued (the engine asks for those reports).
// Best effort: GitHub being unreachable never fails intake (the reporter moves check runs forward only, so
// a later report repairs a missed one).
import { intake, isAwaitingApproval, type ApprovalFacts, type Database, type Prisma, type TenantContext } from "@gantry/db";
import { describeWait, type WaitReason } from "@gantry/engine";
import { checkRunState, CheckRunReporter, type JobCheck, type RetryOptions } from "@gantry/github";
import { jobCheckOutput } from "./check-output";
import type { GithubIntake } from "./types";
import { invalidWorkflowOutput, workflowWarningsOutput } from "./workflow-check-output";

// One reporter per client, installation and retry policy, so that reports for one job are applied in order.
const reporters = new WeakMap<GithubIntake, Map<string, CheckRunReporter>>();

function reporterFor(github: GithubIntake, githubInstallationId: bigint, retry: RetryOptions): CheckRunReporter {
  const key = `${githubInstallationId}:${JSON.stringify(retry)}`;
  const ofClient = reporters.get(github) ?? new Map<string, CheckRunReporter>();
  reporters.set(github, ofClient);
  let reporter = ofClient.get(key);
  if (!reporter) {
    reporter = new CheckRunReporter({
      apiUrl: github.apiUrl,
      token: async () => (await github.tokens.get(githubInstallationId)).token,
      retry,
      ...(github.fetch ? { fetch: github.fetch } : {}),
    });
    ofClient.set(key, reporter);
  }
  return reporter;
}

// Intake waits for its reports: a few short tries, then a later report repairs what was missed.
const INTAKE_RETRY: RetryOptions = { attempts: 3, maxMs: 10_000 };

export interface ReportJobCheckOptions {
  /** The report-check job passes `{ attempts: 1 }` and leaves retrying to BullMQ. */
  retry?: RetryOptions;
  /** Where browsers reach Gantry: the check's "Details" link goes to the run page. */
  publicUrl?: string;
  /** Why the run's waiting jobs have not started (the engine's whyWaiting): a queued check's summary says it. */
  whyWaiting?: (ctx: TenantContext, runId: string, onlyJobId?: string) => Promise<Map<string, WaitReason>>;
}

/**
 * Brings one job's check run up to the job's state now, with the job summary and annotations once it ended.
 * A job of a repository not connected through an active GitHub installation reports nothing (false).
 */
export async function reportJobCheck(db: Database, github: GithubIntake, ctx: TenantContext, jobRunId: string, options: ReportJobCheckOptions = {}): Promise<boolean> {
  const found = await db.forTenant(ctx).jobRun.findFirst({ where: { id: jobRunId }, select: { runAttempt: true } });
  const job = await db.forTenant(ctx).jobRun.findFirst({
    where: { id: jobRunId },
    include: {
      run: { include: { repository: { include: { installation: true } } } },
      // The latest attempt of the job's current run attempt: a re-run job that ended without running shows no
      // summary of an earlier run attempt's.
      attempts: { where: { runAttempt: found?.runAttempt ?? 1 }, orderBy: { number: "desc" }, take: 1, include: { steps: { orderBy: { index: "asc" }, select: { name: true, summary: true, annotations: true } } } },
    },
  });
  const installation = job?.run.repository.installation;
  if (!job || !installation || installation.deletedAt || installation.suspendedAt) return false;
  const completed = checkRunState(job.status).status === "completed";
  const reporter = reporterFor(github, installation.githubInstallationId, options.retry ?? INTAKE_RETRY);
  const detailsUrl = await runPageUrl(db, ctx, job.run.id, options.publicUrl ?? github.publicUrl);
  await reporter.report({
    repository: job.run.repository.fullName,
    headSha: job.run.headSha ?? job.run.sha,
    jobRunId: job.id,
    runAttempt: job.runAttempt,
    name: `${job.run.workflowName} / ${job.name}`,
    status: job.status,
    ...(job.startedAt ? { startedAt: job.startedAt } : {}),
    ...(job.finishedAt ? { completedAt: job.finishedAt } : {}),
    ...(detailsUrl ? { detailsUrl } : {}),
    ...(completed ? { output: jobCheckOutput({ status: job.status, failureReason: job.failureReason, steps: job.attempts[0]?.steps ?? [] }) } : await waitingOutput(options, ctx, job)),
    ...awaitingApproval(job.run, detailsUrl),
  });
  // Intake's report of the warnings check is best effort: each job report makes it if it is missing (a check that
  // has it all is left unchanged, one cut short gets the missing annotations).
  const warnings = warningsCheck({ ...job.run, repository: job.run.repository.fullName });
  if (warnings) await reporter.report(warnings);
  return true;
}

/** A queued job's check says why it has not started (issue #17), as the run page does. */
async function waitingOutput(options: ReportJobCheckOptions, ctx: TenantContext, job: { id: string; runId: string; status: string }): Promise<{ output?: { title: string; summary: string } }> {
  if (!options.whyWaiting || (job.status !== "QUEUED" && job.status !== "WAITING")) return {};
  const reason = (await options.whyWaiting(ctx, job.runId, job.id)).get(job.id);
  return reason ? { output: { title: "Waiting", summary: describeWait(reason) } } : {};
}

/** Where browsers see the run (the check's "Details" link); none without GANTRY_PUBLIC_URL. */
async function runPageUrl(db: Database, ctx: TenantContext, runId: string, publicUrl: string | undefined): Promise<string | undefined> {
  if (!publicUrl) return undefined;
  const tenant = await db.system("check run details link: the tenant's slug").tenant.findUnique({ where: { id: ctx.tenantId }, select: { slug: true } });
  return tenant ? `${publicUrl}/t/${tenant.slug}/runs/${runId}` : undefined;
}

/** A job's check while its run awaits approval: run attempt 0, completed "action_required", with why. */
function awaitingApproval(run: ApprovalFacts, detailsUrl: string | undefined): Pick<JobCheck, "runAttempt" | "conclusion" | "output"> | Record<string, never> {
  if (!isAwaitingApproval(run)) return {};
  const where = detailsUrl ? `on its page, ${detailsUrl}` : "on its page in Gantry";
  return {
    runAttempt: 0,
    conclusion: "action_required",
    output: { title: "Awaiting approval", summary: `This run waits for a maintainer: ${run.approvalRequired ?? "the tenant's fork pull request policy"}. A maintainer (or admin) approves or cancels it ${where}.` },
  };
}

/** The neutral check of a valid run's workflow warnings; null when it has none. */
function warningsCheck(run: { id: string; workflowName: string; sha: string; headSha: string | null; createdAt: Date; warnings: Prisma.JsonValue; repository: string }): JobCheck | null {
  const output = workflowWarningsOutput(intake.readDiagnostics(run.warnings));
  if (!output) return null;
  // Complete at once and neutral: the warnings are there to be read, the jobs' checks say how the run went.
  return { repository: run.repository, headSha: run.headSha ?? run.sha, jobRunId: run.id, name: run.workflowName, status: "SUCCEEDED", conclusion: "neutral", completedAt: run.createdAt, output };
}

export async function reportRunChecks(db: Database, github: GithubIntake, ctx: TenantContext, githubInstallationId: bigint, runId: string): Promise<number> {
  const run = await db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: runId }, include: { jobs: true, repository: true } });
  const reporter = reporterFor(github, githubInstallationId, INTAKE_RETRY);
  const detailsUrl = await runPageUrl(db, ctx, run.id, github.publicUrl);
  // A pull request's merge-commit run: its checks go on the pull request's head commit, where GitHub shows them.
  const base = { repository: run.repository.fullName, headSha: run.headSha ?? run.sha, ...(detailsUrl ? { detailsUrl } : {}) };
  // The workflow's own check is keyed by the run id, like a job's by its job id: a re-run request on it finds the run.
  const warnings = warningsCheck({ ...run, repository: run.repository.fullName });
  const checks: JobCheck[] =
    run.jobs.length === 0
      ? [{ ...base, jobRunId: run.id, name: run.workflowName, status: run.status, completedAt: run.finishedAt ?? new Date(), output: invalidWorkflowOutput(intake.readDiagnostics(run.errors), intake.readDiagnostics(run.warnings)) }]
      : [
          ...run.jobs.map((job) => ({
            ...base,
            jobRunId: job.id,
            runAttempt: job.runAttempt,
            name: `${run.workflowName} / ${job.name}`,
            status: job.status,
            ...(job.startedAt ? { startedAt: job.startedAt } : {}),
            ...(job.finishedAt ? { completedAt: job.finishedAt } : {}),
            ...awaitingApproval(run, detailsUrl),
          })),
          ...(warnings ? [warnings] : []),
        ];
  for (const check of checks) await reporter.report(check);
  return checks.length;
}
