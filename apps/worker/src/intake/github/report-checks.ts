// Check runs for a GitHub run's jobs: one per job, named `<workflow> / <job>`, in the job's current state
// (intake creates them queued; the report-check job moves them on as the jobs run and end).
// An invalid workflow gets one failed check listing every error as `file:line:col: message [code]`.
// Best effort: GitHub being unreachable never fails intake (the reporter moves check runs forward only, so
// a later report repairs a missed one).
import type { Database, TenantContext } from "@gantry/db";
import { checkRunState, CheckRunReporter, type CheckAnnotation, type JobCheck, type RetryOptions } from "@gantry/github";
import { z } from "zod";
import { jobCheckOutput } from "./check-output";
import type { GithubIntake } from "./types";

const workflowError = z.object({ file: z.string(), line: z.number(), col: z.number(), message: z.string(), code: z.string().optional(), severity: z.string().optional() });

/** The summary (`file:line:col: message [code]` per error) and one annotation per error, at its line. */
function invalidWorkflowOutput(errors: unknown): { title: string; summary: string; annotations: CheckAnnotation[] } {
  const parsed = z.array(workflowError).safeParse(errors);
  if (!parsed.success) return { title: "Invalid workflow", summary: "The workflow file is not valid.", annotations: [] };
  return {
    title: "Invalid workflow",
    summary: parsed.data.map((error) => `${error.file}:${error.line}:${error.col}: ${error.message}${error.code ? ` [${error.code}]` : ""}`).join("\n"),
    annotations: parsed.data.map((error) => ({
      path: error.file,
      start_line: Math.max(1, error.line),
      end_line: Math.max(1, error.line),
      annotation_level: error.severity === "warning" ? "warning" : "failure",
      message: error.message,
      ...(error.code ? { title: error.code } : {}),
    })),
  };
}

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
}

/**
 * Brings one job's check run up to the job's state now, with the job summary and annotations once it ended.
 * A job of a repository not connected through an active GitHub installation reports nothing (false).
 */
export async function reportJobCheck(db: Database, github: GithubIntake, ctx: TenantContext, jobRunId: string, options: ReportJobCheckOptions = {}): Promise<boolean> {
  const job = await db.forTenant(ctx).jobRun.findFirst({
    where: { id: jobRunId },
    include: {
      run: { include: { repository: { include: { installation: true } } } },
      attempts: { orderBy: { number: "desc" }, take: 1, include: { steps: { orderBy: { index: "asc" }, select: { name: true, summary: true, annotations: true } } } },
    },
  });
  const installation = job?.run.repository.installation;
  if (!job || !installation || installation.deletedAt || installation.suspendedAt) return false;
  const completed = checkRunState(job.status).status === "completed";
  const tenant = options.publicUrl ? await db.system("check run details link: the tenant's slug").tenant.findUnique({ where: { id: ctx.tenantId }, select: { slug: true } }) : null;
  await reporterFor(github, installation.githubInstallationId, options.retry ?? INTAKE_RETRY).report({
    repository: job.run.repository.fullName,
    headSha: job.run.sha,
    jobRunId: job.id,
    name: `${job.run.workflowName} / ${job.name}`,
    status: job.status,
    ...(job.startedAt ? { startedAt: job.startedAt } : {}),
    ...(job.finishedAt ? { completedAt: job.finishedAt } : {}),
    ...(options.publicUrl && tenant ? { detailsUrl: `${options.publicUrl}/t/${tenant.slug}/runs/${job.run.id}` } : {}),
    ...(completed ? { output: jobCheckOutput({ status: job.status, failureReason: job.failureReason, steps: job.attempts[0]?.steps ?? [] }) } : {}),
  });
  return true;
}

export async function reportRunChecks(db: Database, github: GithubIntake, ctx: TenantContext, githubInstallationId: bigint, runId: string): Promise<number> {
  const run = await db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: runId }, include: { jobs: true, repository: true } });
  const reporter = reporterFor(github, githubInstallationId, INTAKE_RETRY);
  const base = { repository: run.repository.fullName, headSha: run.sha };
  const checks: JobCheck[] =
    run.jobs.length === 0
      ? [{ ...base, jobRunId: run.id, name: run.workflowName, status: run.status, completedAt: run.finishedAt ?? new Date(), output: invalidWorkflowOutput(run.errors) }]
      : run.jobs.map((job) => ({
          ...base,
          jobRunId: job.id,
          name: `${run.workflowName} / ${job.name}`,
          status: job.status,
          ...(job.startedAt ? { startedAt: job.startedAt } : {}),
          ...(job.finishedAt ? { completedAt: job.finishedAt } : {}),
        }));
  for (const check of checks) await reporter.report(check);
  return checks.length;
}
