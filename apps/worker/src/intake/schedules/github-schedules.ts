// A schedule of a GitHub repository fires at the default branch's head as GitHub's branches API reports it at
// tick time (a push to the default branch syncs the schedules in process-github-delivery.ts).
import type { InstallationModel as Installation, Repository } from "@gantry/db";
import { RepositoryLister } from "@gantry/github";
import type { GithubIntake, GithubIntakeDeps } from "../github/types";
import { openCommitScope, runWorkflowFile } from "../github/workflow-runs";
import { cronsOf } from "./read-schedules";
import { scheduledRunKey, type ScheduleEntry } from "./schedule-keys";
import type { TickResult } from "./schedule-tick";
import { syncSchedulesAt } from "./sync-schedules";
import { githubWorkflowTree, planAt } from "./workflow-tree";

async function defaultBranchHead(github: GithubIntake, repository: Repository, githubInstallationId: bigint): Promise<string | undefined> {
  const { token } = await github.tokens.get(githubInstallationId);
  const lister = new RepositoryLister({ apiUrl: github.apiUrl, repository: repository.fullName, token, ...(github.fetch ? { fetch: github.fetch } : {}) });
  return (await lister.branches()).find((branch) => branch.name === repository.defaultBranch)?.commit.sha;
}

export async function tickGithubSchedule(deps: GithubIntakeDeps, repository: Repository, installation: Installation, entry: ScheduleEntry, tickAt: Date): Promise<TickResult> {
  if (installation.deletedAt || installation.suspendedAt) return { outcome: "SKIPPED", reason: `installation ${installation.githubInstallationId} is deleted or suspended` };
  const github = deps.github ?? null;
  if (!github) return { outcome: "SKIPPED", reason: "no GitHub App is configured on this worker" };
  const head = await defaultBranchHead(github, repository, installation.githubInstallationId);
  if (!head) return { outcome: "SKIPPED", reason: `default branch ${repository.defaultBranch} was not found` };
  const scope = await openCommitScope(deps, github, repository, installation.githubInstallationId);
  const tree = githubWorkflowTree(scope.reader, head, repository);
  const plan = await planAt(tree, entry.workflowPath, scope.compileContext);
  if (!plan || !cronsOf(plan).includes(entry.cron)) {
    await syncSchedulesAt(deps.db, deps.queues, repository, tree, scope.compileContext);
    return { outcome: "STALE", reason: `${entry.workflowPath} at ${head} has no schedule ${entry.cron}` };
  }
  const ref = `refs/heads/${repository.defaultBranch}`;
  // trigger null: the cron was matched above; the run reports its check runs like any other.
  const run = await runWorkflowFile(scope, { event: "schedule", ref, sha: head, trigger: null, trusted: true, triggeredBy: "schedule", reportInvalid: false }, entry.workflowPath, scheduledRunKey(repository.id, entry, tickAt));
  if (!run) return { outcome: "STALE", reason: `${entry.workflowPath} at ${head} no longer compiles` };
  return { outcome: run.created ? "CREATED" : "EXISTS", runId: run.runId };
}
