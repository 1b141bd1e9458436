// One check run per job on the commit it ran (queued → in_progress → completed with a conclusion). Each report
// finds the job's check run by external_id (the job run id) and moves it forward only: a late or repeated report
// is a no-op, never a regression (DESIGN.md invariant 3). Reports for one job are sent in order.
// A re-run (docs/runs.md) puts a job back in line under a new run attempt: its check run is the same one, reset to
// queued (GitHub leaves resetting to the App: "Rerequest a check run"), so the commit keeps one check per job name.
// The run attempt the check shows is kept in its external_id (`<job run id>` for 1, `<job run id>:<n>` after), so a
// late report of an earlier run attempt never overwrites a later one, and a later one always may.
// A fork's run held for approval shows its checks as run attempt 0 (`<job run id>:0`), completed "action_required":
// once approved, its run attempt 1 resets them to queued the way a re-run does.
import { z } from "zod";
import type { Fetch } from "./http";
import { githubCall, githubList, githubOctokit, repoPath, type GithubOctokit, type RetryOptions } from "./octokit";

export type JobStatus = "QUEUED" | "WAITING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELED" | "TIMED_OUT" | "SKIPPED";
export type CheckStatus = "queued" | "in_progress" | "completed";
export type CheckConclusion = "success" | "failure" | "neutral" | "cancelled" | "timed_out" | "skipped" | "action_required";

/** A job status as GitHub's check-run status and conclusion. */
export function checkRunState(status: JobStatus): { status: CheckStatus; conclusion?: CheckConclusion } {
  switch (status) {
    case "QUEUED":
    case "WAITING":
      return { status: "queued" };
    case "RUNNING":
      return { status: "in_progress" };
    case "SUCCEEDED":
      return { status: "completed", conclusion: "success" };
    case "FAILED":
      return { status: "completed", conclusion: "failure" };
    case "CANCELED":
      return { status: "completed", conclusion: "cancelled" };
    case "TIMED_OUT":
      return { status: "completed", conclusion: "timed_out" };
    case "SKIPPED":
      return { status: "completed", conclusion: "skipped" };
  }
}

const RANK: Record<string, number> = { queued: 0, requested: 0, waiting: 0, pending: 0, in_progress: 1, completed: 2 };

const checkRun = z.object({
  id: z.number().int(),
  external_id: z.string().nullable(),
  status: z.string(),
  conclusion: z.string().nullable(),
  name: z.string(),
  output: z.object({ annotations_count: z.number().int().optional() }).nullish(),
});

export interface JobCheck {
  /** `owner/name` */
  repository: string;
  headSha: string;
  /** Our job run id: the check run's external_id. */
  jobRunId: string;
  /** The run attempt the job's state belongs to (JobRun.runAttempt); 1 when absent; 0 while its run awaits approval. */
  runAttempt?: number;
  /** The check's name, e.g. `CI / build`. */
  name: string;
  status: JobStatus;
  /**
   * Completes the check with this conclusion whatever the status: a check that is no job's (a workflow's warnings:
   * neutral), or a job whose run awaits approval (action_required).
   */
  conclusion?: CheckConclusion;
  startedAt?: Date;
  completedAt?: Date;
  detailsUrl?: string;
  /** Output shown on the check (the job summary, or why it failed), with line annotations (GitHub takes 50 per call). */
  output?: { title: string; summary: string; text?: string; annotations?: CheckAnnotation[] };
}

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  /** Columns only on a one-line annotation (GitHub's rule). */
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
}

export const MAX_ANNOTATIONS_PER_CALL = 50;

export interface CheckRunReporterOptions {
  apiUrl: string;
  /** An installation token for the repository (e.g. `() => tokens.get(id).then((t) => t.token)`). */
  token: () => Promise<string>;
  fetch?: Fetch;
  /** Tries on 5xx, 429 and rate limits (GitHub's Retry-After and rate-limit reset are honoured; octokit.ts). */
  retry?: RetryOptions;
}

export interface CheckReport {
  checkRunId: number;
  action: "created" | "updated" | "unchanged";
}

/** The external_id a job's check run carries in one run attempt (0: its run awaits approval). */
export function checkExternalId(jobRunId: string, runAttempt = 1): string {
  return runAttempt === 1 ? jobRunId : `${jobRunId}:${runAttempt}`;
}

/** A check run's external_id read back: our job (or run) id and the run attempt the check shows. */
export function parseCheckExternalId(externalId: string): { id: string; runAttempt: number } {
  const match = /^(.+):(\d+)$/.exec(externalId);
  return match?.[1] && match[2] ? { id: match[1], runAttempt: Number(match[2]) } : { id: externalId, runAttempt: 1 };
}

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

export class CheckRunReporter {
  private readonly chains = new Map<string, Promise<unknown>>();

  private readonly octokit: GithubOctokit;

  constructor(options: CheckRunReporterOptions) {
    this.octokit = githubOctokit({ apiUrl: options.apiUrl, auth: { token: options.token }, ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.retry ? { retry: options.retry } : {}) });
  }

  /** Creates or moves forward the job's check run; reports for the same job are applied in call order. */
  report(job: JobCheck): Promise<CheckReport> {
    const previous = this.chains.get(job.jobRunId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.apply(job));
    this.chains.set(job.jobRunId, next);
    void next.finally(() => {
      if (this.chains.get(job.jobRunId) === next) this.chains.delete(job.jobRunId);
    }).catch(() => undefined);
    return next;
  }

  private async apply(job: JobCheck): Promise<CheckReport> {
    const repo = repoPath(job.repository);
    const call = <T>(method: "POST" | "PATCH", path: string, schema: z.ZodType<T>, body: Record<string, unknown>) => githubCall(this.octokit, method, path, schema, body);

    const runs = await githubList(this.octokit, `${repo}/commits/${encodeURIComponent(job.headSha)}/check-runs`, checkRun, { check_name: job.name, filter: "all" });
    const generation = job.runAttempt ?? 1;
    // The newest of the job's check runs (a re-run keeps one, but one created twice in a race must not confuse us).
    const existing = runs
      .filter((run) => run.external_id !== null && parseCheckExternalId(run.external_id).id === job.jobRunId)
      .sort((a, b) => parseCheckExternalId(b.external_id ?? "").runAttempt - parseCheckExternalId(a.external_id ?? "").runAttempt || b.id - a.id)[0];
    const shown = existing?.external_id ? parseCheckExternalId(existing.external_id).runAttempt : generation;
    const state: { status: CheckStatus; conclusion?: CheckConclusion } = job.conclusion ? { status: "completed", conclusion: job.conclusion } : checkRunState(job.status);
    const annotations = job.output?.annotations ?? [];
    const fields = {
      status: state.status,
      ...(state.conclusion ? { conclusion: state.conclusion } : {}),
      ...(job.startedAt && state.status !== "queued" ? { started_at: iso(job.startedAt) } : {}),
      ...(state.status === "completed" ? { completed_at: iso(job.completedAt ?? new Date()) } : {}),
      ...(job.detailsUrl ? { details_url: job.detailsUrl } : {}),
      ...(job.output ? { output: { ...job.output, annotations: annotations.slice(0, MAX_ANNOTATIONS_PER_CALL) } } : {}),
    };
    // GitHub appends the annotations of each update, 50 at most per call: the rest follow in batches. A check
    // that has fewer than it should (a report cut short) gets the missing ones; one that has them all, nothing.
    const addAnnotations = async (checkRunId: number, from: number) => {
      if (!job.output) return false;
      for (let start = from; start < annotations.length; start += MAX_ANNOTATIONS_PER_CALL) {
        const { title, summary, text } = job.output;
        await call("PATCH", `${repo}/check-runs/${checkRunId}`, checkRun, { output: { title, summary, ...(text ? { text } : {}), annotations: annotations.slice(start, start + MAX_ANNOTATIONS_PER_CALL) } });
      }
      return from < annotations.length;
    };
    if (!existing) {
      const created = await call("POST", `${repo}/check-runs`, checkRun, { name: job.name, head_sha: job.headSha, external_id: checkExternalId(job.jobRunId, generation), ...fields });
      await addAnnotations(created.id, MAX_ANNOTATIONS_PER_CALL);
      return { checkRunId: created.id, action: "created" };
    }
    // A report of an earlier run attempt than the check shows is late: nothing changes.
    if (generation < shown) return { checkRunId: existing.id, action: "unchanged" };
    if (generation > shown) {
      // A re-run: the same check run starts over in this run attempt (status back, the old summary replaced; GitHub
      // keeps annotations already posted, so the new attempt's are added after them).
      const reset =
        shown === 0
          ? { title: "Approved", summary: "A maintainer approved this run: the job is queued." }
          : { title: `Re-run (run attempt ${generation})`, summary: `This job is running again as run attempt ${generation}; earlier attempts stay on the run page.` };
      const body = { external_id: checkExternalId(job.jobRunId, generation), ...fields, ...(fields.status === "completed" ? {} : { output: reset }) };
      await call("PATCH", `${repo}/check-runs/${existing.id}`, checkRun, body);
      if (state.status === "completed") await addAnnotations(existing.id, MAX_ANNOTATIONS_PER_CALL);
      return { checkRunId: existing.id, action: "updated" };
    }
    // Forward only: a completed check is final, an older state never overwrites a newer one.
    const before = RANK[existing.status] ?? 0;
    const after = RANK[state.status] ?? 0;
    if (existing.status === "completed") {
      // After a re-run the count includes earlier attempts' annotations: it says nothing about this attempt's.
      const repaired = state.status === "completed" && generation === 1 && (await addAnnotations(existing.id, existing.output?.annotations_count ?? 0));
      return { checkRunId: existing.id, action: repaired ? "updated" : "unchanged" };
    }
    if (after < before || (after === before && !job.output)) {
      return { checkRunId: existing.id, action: "unchanged" };
    }
    await call("PATCH", `${repo}/check-runs/${existing.id}`, checkRun, fields);
    await addAnnotations(existing.id, MAX_ANNOTATIONS_PER_CALL);
    return { checkRunId: existing.id, action: "updated" };
  }
}
