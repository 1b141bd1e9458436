// The one builder of the `github` and `strategy` contexts. The engine evaluates job-level expressions (`if:`,
// `runs-on:`, `environment:`, `concurrency:`) with them, and the runner evaluates step expressions with the same
// function applied to the same facts, which the claim hands over (AssignedRun): a job's `if:` and its steps see
// the same fields. Pure: both sides import it from the protocol package.
import type { AssignedRun } from "./index";

const refName = (ref: string) => ref.replace(/^refs\/(heads|tags)\//, "");
const refType = (ref: string) => (ref.startsWith("refs/tags/") ? "tag" : "branch");
const asObject = (value: unknown): Record<string, unknown> => (value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** The `github` context of a run (and of one job of it, when `jobId` is given). The GITHUB_TOKEN is not in it. */
export function githubContext(run: Omit<AssignedRun, "githubToken">, jobId?: string): Record<string, unknown> {
  const event = run.event === "workflow_dispatch"
    ? // As on GitHub, a manual run's github.event.inputs are strings (the `inputs` context keeps the types).
      { ...run.eventPayload, inputs: Object.fromEntries(Object.entries(run.inputs).map(([name, value]) => [name, String(value)])) }
    : run.eventPayload;
  const pullRequest = asObject(asObject(run.eventPayload).pull_request);
  const isPullRequest = run.event === "pull_request" || run.event === "pull_request_target";
  return {
    event_name: run.event,
    event,
    ref: run.ref,
    ref_name: refName(run.ref),
    ref_type: refType(run.ref),
    sha: run.sha,
    // Pull request runs: the branches of the pull request, as GitHub sets them (empty for other events).
    head_ref: isPullRequest ? String(asObject(pullRequest.head).ref ?? "") : "",
    base_ref: isPullRequest ? String(asObject(pullRequest.base).ref ?? "") : "",
    repository: run.repository,
    repository_owner: run.repository.split("/")[0] ?? "",
    run_id: run.id,
    run_number: run.number,
    run_attempt: run.attempt,
    workflow: run.workflow,
    actor: run.actor,
    triggering_actor: run.actor,
    ...(jobId ? { job: jobId } : {}),
    ...(run.serverUrl ? { server_url: run.serverUrl } : {}),
    ...(run.apiUrl ? { api_url: run.apiUrl } : {}),
  };
}

/** Where one matrix cell sits in its matrix, and the matrix's strategy. */
export interface StrategyFacts {
  failFast: boolean;
  jobIndex: number;
  jobTotal: number;
  /** Absent: no cap (GitHub then reports the cell count). */
  maxParallel?: number;
}

/** The `strategy` context as GitHub gives it (`fail-fast`, `job-index`, `job-total`, `max-parallel`). */
export function strategyContext(facts: StrategyFacts): Record<string, unknown> {
  return { "fail-fast": facts.failFast, "job-index": facts.jobIndex, "job-total": facts.jobTotal, "max-parallel": facts.maxParallel ?? facts.jobTotal };
}
