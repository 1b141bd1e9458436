// `check_run` / `check_suite` `rerequested` ("Re-run" on GitHub) re-runs Gantry's runs in place (docs/github.md):
// a job's check re-runs that job and its dependents, a suite (or a workflow's own check) the failed jobs of the
// latest run of each workflow at that commit — each as a new attempt of the same run (the engine's rerun,
// docs/runs.md), whose check runs are the same ones reset to queued, so the commit keeps one check per job name.
// A run whose workflow was invalid has no jobs to re-run: its workflow file is read again as a new run.
// Keyed by what the click refers to, never by the delivery: X-GitHub-Delivery is not signed, so a captured body
// replayed under new delivery ids must not re-run each time (issue #13 item 9). A check run's external_id names the
// run attempt it shows (`<job id>:<n>`): a click on a check that has been re-run since is a replay. A check_suite
// keeps its id across re-runs, so its click is (suite id, updated_at): GitHub moves updated_at whenever the suite
// changes. Each re-run is audited with its click, and a click already in the audit log re-runs nothing.
import { AUDIT_ACTIONS, isAwaitingApproval, recordAudit, type TenantContext, type WorkflowRun } from "@gantry/db";
import { rerun, RerunRefused, type RerunInput } from "@gantry/engine";
import { parseCheckExternalId, type CheckRunEvent, type CheckSuiteEvent } from "@gantry/github";
import { repositoryWorkflowFiles, workflowFileRefusal } from "@gantry/sources";
import type { IntakeResult } from "../process-git-push";
import { resolveRepository } from "./repository";
import type { GithubIntake, GithubIntakeDeps } from "./types";
import { openCommitScope, runWorkflowFile, settled, type CommitScope } from "./workflow-runs";

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
  // The latest run per workflow and event (runs made by re-runs before they were in place are older runs' copies).
  const latest = new Map<string, WorkflowRun>();
  for (const run of runs) if (!latest.has(`${run.workflowPath}\u0000${run.event}\u0000${run.ref}`)) latest.set(`${run.workflowPath}\u0000${run.event}\u0000${run.ref}`, run);
  return [...latest.values()];
}

/** What the click refers to (the delivery only when GitHub sent no updated_at). */
function clickKey(event: CheckRunEvent | CheckSuiteEvent, deliveryRowId: string): string {
  if ("check_run" in event) return `check_run:${event.check_run.id}`;
  return `check_suite:${event.check_suite.id}:${event.check_suite.updated_at ?? `delivery:${deliveryRowId}`}`;
}

const describeClick = (event: CheckRunEvent | CheckSuiteEvent) => ("check_run" in event ? `check run ${event.check_run.id}` : `check suite ${event.check_suite.id}`);

export async function rerunChecks(deps: GithubIntakeDeps, github: GithubIntake, event: CheckRunEvent | CheckSuiteEvent, deliveryRowId: string): Promise<IntakeResult> {
  if (event.action !== "rerequested") return ignored(`${"check_run" in event ? "check_run" : "check_suite"} ${event.action} starts no runs`);
  const resolved = await resolveRepository(deps.db, event.repository.id, event.installation?.id);
  if (!resolved.ok) return ignored(resolved.reason);
  const headSha = "check_run" in event ? event.check_run.head_sha : event.check_suite.head_sha;
  const externalId = "check_run" in event ? (event.check_run.external_id ?? "") : null;
  if (externalId === "") return ignored("the check run is not one of Gantry's");
  const clicked = externalId === null ? null : parseCheckExternalId(externalId);
  const runs = await originals(deps, resolved.repository.tenantId, resolved.repository.id, headSha, clicked?.id ?? null);
  if (runs.length === 0) return ignored(`no Gantry run at ${headSha} to re-run`);

  const ctx: TenantContext = { tenantId: resolved.repository.tenantId, actor: { kind: "SYSTEM", id: "github-intake" } };
  const scoped = deps.db.forTenant(ctx);
  const click = clickKey(event, deliveryRowId);
  const result: IntakeResult = { outcome: "IGNORED", reason: "nothing to re-run", runs: [] };
  const skipped: string[] = [];
  // The workflow files at the commit, read once and only when something is to re-run.
  let scope: CommitScope | null = null;
  const workflowsAt = new Map<string, Promise<string[]>>();
  const refusalOf = async (run: WorkflowRun) => {
    scope ??= await openCommitScope(deps, github, resolved.repository, resolved.githubInstallationId);
    const reader = scope.reader;
    if (!workflowsAt.has(run.sha)) workflowsAt.set(run.sha, repositoryWorkflowFiles(reader, run.sha, resolved.repository));
    return workflowFileRefusal(run.workflowPath, (await workflowsAt.get(run.sha)) ?? [], resolved.repository);
  };

  for (const run of runs) {
    const jobs = await scoped.jobRun.findMany({ where: { runId: run.id }, select: { id: true, key: true, runAttempt: true } });
    if (jobs.length === 0) {
      // An invalid workflow's run: its file is read again at the same commit, as a run of its own, once per click.
      const key = `${run.idempotencyKey}:rerun:${click}`;
      const existing = await scoped.workflowRun.findFirst({ where: { idempotencyKey: key }, select: { id: true } });
      if (existing) {
        skipped.push(`duplicate re-run request: ${describeClick(event)} of run ${run.id} was re-run already (run ${existing.id})`);
        continue;
      }
      const refusal = await refusalOf(run);
      if (refusal) {
        skipped.push(`${run.workflowPath} is not re-run: ${refusal}`);
        continue;
      }
      scope ??= await openCommitScope(deps, github, resolved.repository, resolved.githubInstallationId);
      const commit = { event: run.event, ref: run.ref, sha: run.sha, ...(run.headSha ? { headSha: run.headSha } : {}), trigger: null, trusted: run.trusted, ...(event.sender ? { triggeredBy: event.sender.login } : {}), ...(run.deliveryId ? { deliveryId: run.deliveryId } : {}) };
      const entry = await runWorkflowFile(scope, commit, run.workflowPath, key);
      if (entry) result.runs.push(entry);
      continue;
    }
    const job = clicked ? jobs.find((candidate) => candidate.id === clicked.id) : undefined;
    // A check of a fork's run held for approval (run attempt 0): "Re-run" there is no approval.
    if (job && clicked?.runAttempt === 0) {
      skipped.push(`${describeClick(event)} of run ${run.id} is awaiting approval: ${isAwaitingApproval(run) ? "a maintainer approves or cancels it on the run page" : "it was decided since"}`);
      continue;
    }
    // The check shows an earlier run attempt than the job is on: it was re-run since, so this is a replayed click.
    if (job && clicked && clicked.runAttempt < job.runAttempt) {
      skipped.push(`duplicate re-run request: ${describeClick(event)} of run ${run.id} was re-run already (the job is on run attempt ${job.runAttempt})`);
      continue;
    }
    const clickOf = job && clicked ? `${click}:${clicked.runAttempt}` : click;
    const seen = await deps.db.system("github re-run: was this click re-run already").auditEvent.findFirst({
      where: { tenantId: ctx.tenantId, action: AUDIT_ACTIONS.runRerun, targetId: run.id, data: { path: ["click"], equals: clickOf } },
      select: { id: true },
    });
    if (seen) {
      skipped.push(`duplicate re-run request: ${describeClick(event)} of run ${run.id} was re-run already`);
      continue;
    }
    const refusal = await refusalOf(run);
    if (refusal) {
      skipped.push(`${run.workflowPath} is not re-run: ${refusal}`);
      continue;
    }
    // A job's check: that job and its dependents. A suite, or the workflow's own check: the failed jobs.
    const input: RerunInput = { ...(job ? { mode: "job" as const, jobKey: job.key } : { mode: "failed" as const }), actor: `github:${event.sender?.login ?? "unknown"}` };
    try {
      const done = await rerun(deps.db, ctx, run.id, input, { notify: deps.queues ?? null });
      if (!done.rerun) {
        skipped.push(`duplicate re-run request: run ${run.id} was re-run already (run attempt ${done.runAttempt})`);
        continue;
      }
      await recordAudit(deps.db, {
        tenantId: ctx.tenantId,
        actor: { kind: "SYSTEM", id: "github-intake" },
        action: AUDIT_ACTIONS.runRerun,
        target: { type: "WorkflowRun", id: run.id },
        details: { mode: input.mode, ...(input.jobKey ? { jobKey: input.jobKey } : {}), runAttempt: done.runAttempt, jobs: done.jobIds.length, click: clickOf, ...(event.sender ? { sender: event.sender.login } : {}) },
      });
      await deps.startRun(ctx, run.id, done.runAttempt);
      result.runs.push({ runId: run.id, created: false, workflowPath: run.workflowPath, valid: true });
    } catch (error) {
      if (!(error instanceof RerunRefused)) throw error;
      skipped.push(`${run.workflowPath}: ${error.message}`);
    }
  }
  if (result.runs.length === 0 && skipped.length > 0) result.reason = skipped.join("; ");
  return settled(result);
}
