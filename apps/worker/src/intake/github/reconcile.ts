// Missed deliveries: GitHub does not redeliver on its own. For each repository connected through an active
// installation, list branches whose head was committed since `since` and open pull requests updated since
// then, and start the runs their events would have started. The idempotency keys are the webhook intake's own,
// so whatever did arrive is not run twice. (Path filters pass here: the changed files are not known.)
import type { Repository } from "@gantry/db";
import { pullRequestRunCommit, readPullRequest, RepositoryLister } from "@gantry/github";
import type { IntakeResult } from "../process-git-push";
import { schedulesOf } from "../schedules/read-schedules";
import { syncSchedules } from "../schedules/sync-schedules";
import type { CompiledFile } from "../schedules/workflow-tree";
import type { GithubIntake, GithubIntakeDeps } from "./types";
import { runWorkflowsAt } from "./workflow-runs";
import { forkApprovalFor } from "./fork-approval";

export interface ReconcileReport {
  repositories: number;
  /** Repositories that could not be looked at (GitHub errors, logged); they are looked at again next time. */
  failed: number;
  /** Runs created now: the events that never arrived. */
  created: number;
  runs: IntakeResult["runs"];
}

async function reconcileOne(deps: GithubIntakeDeps, github: GithubIntake, repository: Repository, githubInstallationId: bigint, since: Date): Promise<IntakeResult["runs"]> {
  const { token } = await github.tokens.get(githubInstallationId);
  const lister = new RepositoryLister({ apiUrl: github.apiUrl, repository: repository.fullName, token, ...(github.fetch ? { fetch: github.fetch } : {}) });
  const runs: IntakeResult["runs"] = [];
  for (const branch of await lister.branches()) {
    if (!(await lister.headIsRecent(branch.name, branch.commit.sha, since))) continue;
    const ref = `refs/heads/${branch.name}`;
    const isDefault = branch.name === repository.defaultBranch;
    const compiled: CompiledFile[] = [];
    const commit = { event: "push", ref, sha: branch.commit.sha, trigger: { name: "push", ref }, trusted: true, triggeredBy: "reconciler" };
    const result = await runWorkflowsAt(deps, github, repository, githubInstallationId, commit, isDefault ? compiled : undefined);
    runs.push(...result.runs);
    // A missed push to the default branch may have changed its schedules, as a delivered one would.
    if (isDefault) await syncSchedules(deps.db, deps.queues, repository, branch.commit.sha, schedulesOf(compiled));
  }
  for (const pull of await lister.openPullRequests(since)) {
    const trusted = pull.head.repo !== null && pull.head.repo.id === pull.base.repo?.id;
    // The same policy as the webhook's: a first-time contributor's fork run waits for a maintainer.
    const approvalRequired = await forkApprovalFor(deps.db, repository, { number: pull.number, author: pull.user?.login, authorAssociation: pull.author_association, headRepository: pull.head.repo?.full_name ?? null, fromFork: !trusted });
    // The listing has no `mergeable`: the pull request itself says whether there is a merge commit to run.
    const details = await readPullRequest({ apiUrl: github.apiUrl, repository: repository.fullName, token, ...(github.fetch ? { fetch: github.fetch } : {}) }, pull.number);
    const checkout = pullRequestRunCommit(details);
    const result = await runWorkflowsAt(deps, github, repository, githubInstallationId, {
      event: "pull_request",
      ref: checkout.ref,
      sha: checkout.sha,
      headSha: details.head.sha,
      keyPart: `refs/pull/${pull.number}/head:${details.head.sha}`,
      ...(checkout.note ? { notes: [checkout.note] } : {}),
      trigger: { name: "pull_request", baseBranch: pull.base.ref },
      trusted,
      triggeredBy: "reconciler",
      ...(approvalRequired ? { approvalRequired } : {}),
    });
    runs.push(...result.runs);
  }
  return runs;
}

/** Reconciles every repository connected through an installation that is neither suspended nor deleted. */
export async function reconcileGithubRepositories(deps: GithubIntakeDeps, github: GithubIntake, since: Date): Promise<ReconcileReport> {
  const repositories = await deps.db.system("github reconciler: every connected repository").repository.findMany({
    where: { archived: false, installation: { deletedAt: null, suspendedAt: null } },
    include: { installation: true },
    orderBy: { id: "asc" },
  });
  const report: ReconcileReport = { repositories: 0, failed: 0, created: 0, runs: [] };
  for (const { installation, ...repository } of repositories) {
    if (!installation) continue;
    try {
      const runs = await reconcileOne(deps, github, repository, installation.githubInstallationId, since);
      report.runs.push(...runs);
      report.created += runs.filter((run) => run.created).length;
      report.repositories += 1;
    } catch (error) {
      report.failed += 1;
      github.log?.(`github reconciler: ${repository.fullName}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return report;
}
