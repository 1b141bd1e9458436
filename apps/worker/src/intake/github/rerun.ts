// `check_run` / `check_suite` `rerequested` ("Re-run" on GitHub): the runs behind those checks start again as
// new runs of the same workflows at the same commit, with the same event, ref and trust — the workflow file is
// read again, its triggers are not (they matched the first time).
// Keyed by what the click refers to, never by the delivery: X-GitHub-Delivery is not signed, so a captured body
// replayed under new delivery ids must not start a re-run each time (issue #13 item 9). A check_run click is
// (the original run, check_run.id): GitHub gives a re-run's jobs new check runs, so a genuine click on the re-run
// refers to another run and another check run. A check_suite keeps its id across re-runs, so its click is
// (the latest run, suite id, suite updated_at): GitHub moves updated_at whenever the suite changes.
import type { WorkflowRun } from "@gantry/db";
import type { CheckRunEvent, CheckSuiteEvent } from "@gantry/github";
import { repositoryWorkflowFiles, workflowFileRefusal } from "@gantry/sources";
import type { IntakeResult } from "../process-git-push";
import { resolveRepository } from "./repository";
import type { GithubIntake, GithubIntakeDeps } from "./types";
import { openCommitScope, runWorkflowFile, settled } from "./workflow-runs";

const ignored = (reason: string): IntakeResult => ({ outcome: "IGNORED", reason, runs: [] });

/** The original runs: the one behind a check run (by its external_id, a job or run id), or every run at a suite's commit. */
async function originals(deps: GithubIntakeDeps, tenantId: string, repositoryId: string, headSha: string, externalId: string | null): Promise<WorkflowRun[]> {
  const scoped = deps.db.forTenant({ tenantId, actor: { kind: "SYSTEM", id: "github-intake" } });
  if (externalId !== null) {
    const job = await scoped.jobRun.findFirst({ where: { id: externalId }, select: { runId: true } });
    // A check's head_sha is the run's commit, or for a pull request's merge-commit run the head it was reported on.
    const run = await scoped.workflowRun.findFirst({ where: { id: job?.runId ?? externalId, repositoryId, OR: [{ sha: headSha }, { headSha }] } });
    return run ? [run] : [];
  }
  const runs = await scoped.workflowRun.findMany({ where: { repositoryId, OR: [{ sha: headSha }, { headSha }] }, orderBy: { runNumber: "desc" } });
  // The latest run per workflow and event: a second click re-runs the re-run, not every run since.
  const latest = new Map<string, WorkflowRun>();
  for (const run of runs) if (!latest.has(`${run.workflowPath}\u0000${run.event}\u0000${run.ref}`)) latest.set(`${run.workflowPath}\u0000${run.event}\u0000${run.ref}`, run);
  return [...latest.values()];
}

/** The part of the re-run's idempotency key that names the click (the delivery only when GitHub sent no updated_at). */
function clickKey(event: CheckRunEvent | CheckSuiteEvent, deliveryRowId: string): string {
  if ("check_run" in event) return `check_run:${event.check_run.id}`;
  return `check_suite:${event.check_suite.id}:${event.check_suite.updated_at ?? `delivery:${deliveryRowId}`}`;
}

function duplicateReason(event: CheckRunEvent | CheckSuiteEvent, original: WorkflowRun, rerunId: string): string {
  const what = "check_run" in event ? `check run ${event.check_run.id}` : `check suite ${event.check_suite.id}`;
  return `duplicate re-run request: ${what} of run ${original.id} was re-run already (run ${rerunId})`;
}

export async function rerunChecks(deps: GithubIntakeDeps, github: GithubIntake, event: CheckRunEvent | CheckSuiteEvent, deliveryRowId: string): Promise<IntakeResult> {
  if (event.action !== "rerequested") return ignored(`${"check_run" in event ? "check_run" : "check_suite"} ${event.action} starts no runs`);
  const resolved = await resolveRepository(deps.db, event.repository.id, event.installation?.id);
  if (!resolved.ok) return ignored(resolved.reason);
  const headSha = "check_run" in event ? event.check_run.head_sha : event.check_suite.head_sha;
  const externalId = "check_run" in event ? (event.check_run.external_id ?? "") : null;
  if (externalId === "") return ignored("the check run is not one of Gantry's");
  const runs = await originals(deps, resolved.repository.tenantId, resolved.repository.id, headSha, externalId);
  if (runs.length === 0) return ignored(`no Gantry run at ${headSha} to re-run`);

  const scoped = deps.db.forTenant({ tenantId: resolved.repository.tenantId, actor: { kind: "SYSTEM", id: "github-intake" } });
  const click = clickKey(event, deliveryRowId);
  // A click seen before is a duplicate before GitHub is asked for anything (a replay costs one query per run).
  const fresh: WorkflowRun[] = [];
  const duplicates: string[] = [];
  for (const run of runs) {
    const existing = await scoped.workflowRun.findFirst({ where: { idempotencyKey: `${run.idempotencyKey}:rerun:${click}` }, select: { id: true } });
    if (existing) duplicates.push(duplicateReason(event, run, existing.id));
    else fresh.push(run);
  }
  if (fresh.length === 0) return ignored(duplicates.join("; "));

  const scope = await openCommitScope(deps, github, resolved.repository, resolved.githubInstallationId);
  const result: IntakeResult = { outcome: "IGNORED", reason: "nothing to re-run", runs: [] };
  const workflowsAt = new Map<string, Promise<string[]>>();
  const refused: string[] = [];
  for (const run of fresh) {
    // A folder turned off since (or a same-name file added to .gantry/workflows) is not re-run from the old file.
    if (!workflowsAt.has(run.sha)) workflowsAt.set(run.sha, repositoryWorkflowFiles(scope.reader, run.sha, resolved.repository));
    const refusal = workflowFileRefusal(run.workflowPath, (await workflowsAt.get(run.sha)) ?? [], resolved.repository);
    if (refusal) {
      refused.push(`${run.workflowPath} is not re-run: ${refusal}`);
      continue;
    }
    // The re-run's github.event is the original run's event, as on GitHub.
    const commit = { event: run.event, ref: run.ref, sha: run.sha, ...(run.headSha ? { headSha: run.headSha } : {}), trigger: null, trusted: run.trusted, ...(event.sender ? { triggeredBy: event.sender.login } : {}), ...(run.deliveryId ? { deliveryId: run.deliveryId } : {}) };
    const entry = await runWorkflowFile(scope, commit, run.workflowPath, `${run.idempotencyKey}:rerun:${click}`);
    if (entry) result.runs.push(entry);
  }
  if (refused.length > 0 && result.runs.length === 0) result.reason = refused.join("; ");
  return settled(result);
}
