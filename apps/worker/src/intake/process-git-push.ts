// Intake of one plain-git push: read the workflow files at the pushed commit, match their triggers,
// compile, and create one run per matching workflow (or a FAILED run for an invalid one). A push to the default
// branch also syncs the repository's schedules; every push is remembered per ref for the ref reconciler.
import { intake, type Database, type TenantContext } from "@gantry/db";
import { compileWorkflowWithCalls, matchTrigger, type TriggerEvent, type WorkflowPlan } from "@gantry/workflow-schema";
import type { GitPushPayload, Queues } from "@gantry/jobs";
import { compileContextFor } from "./compile-context";
import { splitDiagnostics } from "./diagnostics";
import { gitFilesAt } from "./repository-files";
import { openRepository, repositoryWorkflowFiles, ZERO_SHA } from "@gantry/sources";
import { branchHead, recordRefState } from "./git-refs";
import { schedulesOf } from "./schedules/read-schedules";
import { syncSchedules } from "./schedules/sync-schedules";
import type { RunStarter } from "./run-starter";

export interface IntakeResult {
  outcome: "PROCESSED" | "IGNORED";
  reason?: string;
  runs: { runId: string; created: boolean; workflowPath: string; valid: boolean }[];
}

export interface IntakeDeps {
  db: Database;
  gitCacheDir: string;
  /** Asks for a new run's first advance (the worker: through the advance-run queue; intake/run-starter.ts). */
  startRun: RunStarter;
  /** Where schedule changes reach BullMQ at once; omitted, only Postgres changes until the next reconciliation. */
  queues?: Queues;
}

/** `deliveryId`: the stored notification (the runs' `github.event`); none when the ref reconciler found the push. */
export async function processGitPush(deps: IntakeDeps, repositoryId: string, push: GitPushPayload, deliveryId?: string): Promise<IntakeResult> {
  const sys = deps.db.system("intake resolves the repository before the tenant is known");
  const repository = await sys.repository.findUnique({ where: { id: repositoryId }, include: { gitSource: true } });
  if (!repository?.gitSource) return { outcome: "IGNORED", reason: `repository ${repositoryId} has no git source`, runs: [] };
  if (repository.archived) return { outcome: "IGNORED", reason: "repository is archived", runs: [] };
  if (push.after === ZERO_SHA) {
    await recordRefState(deps.db, repository, push.ref, ZERO_SHA);
    return { outcome: "IGNORED", reason: "ref deleted", runs: [] };
  }

  const ctx: TenantContext = { tenantId: repository.tenantId, actor: { kind: "SYSTEM", id: "intake" } };
  const git = await openRepository(repository.gitSource.url, deps.gitCacheDir);
  const files = await repositoryWorkflowFiles(git, push.after, repository);
  const compiled: { file: string; plan?: WorkflowPlan | undefined }[] = [];
  // Recorded last: a push whose intake failed is still different from the ref's state, so the reconciler retries it.
  const settle = async (result: IntakeResult) => {
    // Only from the branch's current head: a late notification of an older push must not bring back old crons.
    if (push.ref === `refs/heads/${repository.defaultBranch}` && (await branchHead(git, repository.defaultBranch)) === push.after) {
      await syncSchedules(deps.db, deps.queues, repository, push.after, schedulesOf(compiled));
    }
    await recordRefState(deps.db, repository, push.ref, push.after);
    return result;
  };
  if (files.length === 0) return settle({ outcome: "IGNORED", reason: "no workflow files at this commit", runs: [] });

  const event: TriggerEvent = { name: "push", ref: push.ref };
  const changed = await git.changedPaths(push.before, push.after);
  if (changed) event.changedPaths = changed;
  const compileContext = await compileContextFor(deps.db, ctx, repository.id);
  const result: IntakeResult = { outcome: "IGNORED", reason: "no workflow matched this push", runs: [] };

  for (const file of files) {
    const source = await git.readFile(push.after, file);
    const { plan, errors } = await compileWorkflowWithCalls(source, file, compileContext, gitFilesAt(git, push.after));
    compiled.push({ file, plan });
    const diagnostics = splitDiagnostics(errors);
    const base = {
      repositoryId: repository.id,
      idempotencyKey: `push:${repository.id}:${push.ref}:${push.after}:${file}`,
      workflowPath: file,
      event: "push",
      ref: push.ref,
      sha: push.after,
      trusted: true,
      ...(push.pusher ? { triggeredBy: push.pusher } : {}),
      ...(deliveryId ? { deliveryId } : {}),
      warnings: diagnostics.warnings,
    };
    if (!plan) {
      // GitHub shows a failed run for a workflow file it cannot read; so do we, with every error.
      const created = await intake.createInvalidRun(sys, ctx, { ...base, workflowName: file, errors: diagnostics.errors });
      result.runs.push({ runId: created.runId, created: created.created, workflowPath: file, valid: false });
      continue;
    }
    if (!matchTrigger(plan, event)) continue;
    const created = await intake.createRun(sys, ctx, { ...base, workflowName: plan.name, plan });
    result.runs.push({ runId: created.runId, created: created.created, workflowPath: file, valid: true });
    if (created.created) await deps.startRun(ctx, created.runId);
  }
  if (result.runs.length > 0) {
    result.outcome = "PROCESSED";
    delete result.reason;
  }
  return settle(result);
}
