// One firing of a schedule. As on GitHub, it runs the workflow at the latest commit of the default branch:
// the head is resolved now, the file compiled there, and the run created under
// `schedule:<repo>:<file>:<cron>:<tick time>` so a re-fired tick or a second worker makes no second run.
// When the workflow at the head no longer has that cron the firing does nothing and the schedules are re-synced.
import { intake, type GitSource, type Repository, type TenantContext } from "@gantry/db";
import type { JobPayload } from "@gantry/jobs";
import { compileContextFor } from "../compile-context";
import { splitDiagnostics } from "../diagnostics";
import { branchHead } from "../git-refs";
import { openRepository } from "@gantry/sources";
import type { GithubIntakeDeps } from "../github/types";
import { tickGithubSchedule } from "./github-schedules";
import { removeJobScheduler } from "./job-schedulers";
import { cronsOf } from "./read-schedules";
import { scheduledRunKey, schedulerKeyOf, type ScheduleEntry } from "./schedule-keys";
import { syncSchedulesAt } from "./sync-schedules";
import { compileAt, gitWorkflowTree } from "./workflow-tree";

export interface TickResult {
  /** CREATED: a new run; EXISTS: this firing's run was made before; STALE: the cron is gone; SKIPPED: nothing to run. */
  outcome: "CREATED" | "EXISTS" | "STALE" | "SKIPPED";
  reason?: string;
  runId?: string;
}

/**
 * The scheduled time of a firing: BullMQ names a job scheduler's jobs `repeat:<key>:<millis>` and keeps the
 * time as opts.prevMillis. Never the time the job happens to run, so every replay of a firing agrees.
 */
export function tickTimeOf(job: { id?: string | undefined; opts: { prevMillis?: number | undefined } }): Date {
  const fromId = Number(job.id?.slice(job.id.lastIndexOf(":") + 1));
  if (job.id?.startsWith("repeat:") && Number.isSafeInteger(fromId) && fromId > 0) return new Date(fromId);
  if (job.opts.prevMillis !== undefined && job.opts.prevMillis > 0) return new Date(job.opts.prevMillis);
  throw new Error(`schedule tick ${job.id ?? "?"} was not made by a job scheduler: it has no scheduled time`);
}

export async function runScheduleTick(deps: GithubIntakeDeps, payload: JobPayload<"schedule-tick">, tickAt: Date): Promise<TickResult> {
  const entry: ScheduleEntry = { workflowPath: payload.workflowPath, cron: payload.cron };
  const sys = deps.db.system("schedule tick: the schedule and its repository");
  const schedulerKey = schedulerKeyOf(payload.repositoryId, entry);
  const row = await sys.workflowSchedule.findUnique({ where: { schedulerKey } });
  if (!row) {
    // A scheduler that outlived its row (a sync whose BullMQ step did not happen): remove it now.
    if (deps.queues) await removeJobScheduler(deps.queues, schedulerKey);
    return { outcome: "STALE", reason: "no such schedule any more" };
  }
  const repository = await sys.repository.findUnique({ where: { id: payload.repositoryId }, include: { gitSource: true, installation: true } });
  if (!repository) return { outcome: "SKIPPED", reason: `repository ${payload.repositoryId} is gone` };
  if (repository.archived) return { outcome: "SKIPPED", reason: "repository is archived" };
  if (repository.gitSource) return tickGitSchedule(deps, repository, repository.gitSource, entry, tickAt);
  if (repository.installation) return tickGithubSchedule(deps, repository, repository.installation, entry, tickAt);
  return { outcome: "SKIPPED", reason: "repository has no source" };
}

async function tickGitSchedule(deps: GithubIntakeDeps, repository: Repository, source: GitSource, entry: ScheduleEntry, tickAt: Date): Promise<TickResult> {
  const git = await openRepository(source.url, deps.gitCacheDir);
  const head = await branchHead(git, repository.defaultBranch);
  if (!head) return { outcome: "SKIPPED", reason: `default branch ${repository.defaultBranch} does not exist` };
  const ctx: TenantContext = { tenantId: repository.tenantId, actor: { kind: "SYSTEM", id: "schedule" } };
  const compileContext = await compileContextFor(deps.db, ctx, repository.id);
  const tree = gitWorkflowTree(git, head, repository);
  const compiled = await compileAt(tree, entry.workflowPath, compileContext);
  const plan = compiled?.plan;
  if (!plan || !cronsOf(plan).includes(entry.cron)) {
    await syncSchedulesAt(deps.db, deps.queues, repository, tree, compileContext);
    return { outcome: "STALE", reason: `${entry.workflowPath} at ${head} has no schedule ${entry.cron}` };
  }
  const created = await intake.createRun(deps.db.system("schedule tick: create the run"), ctx, {
    repositoryId: repository.id,
    idempotencyKey: scheduledRunKey(repository.id, entry, tickAt),
    workflowPath: entry.workflowPath,
    workflowName: plan.name,
    event: "schedule",
    ref: `refs/heads/${repository.defaultBranch}`,
    sha: head,
    trusted: true,
    triggeredBy: "schedule",
    warnings: splitDiagnostics(compiled.errors).warnings,
    plan,
  });
  if (created.created) await deps.startRun(ctx, created.runId);
  return { outcome: created.created ? "CREATED" : "EXISTS", runId: created.runId };
}
