// Runs of an event Gantry made (workflow_run, repository_dispatch from the API) in any repository, plain git or
// GitHub: as on GitHub, they run the default branch's workflows at its head commit (GITHUB_REF = the default
// branch, GITHUB_SHA = its last commit), each workflow whose triggers match, one run per (event subject, file).
import { intake, type GitSource, type Installation, type Repository, type TenantContext } from "@gantry/db";
import { githubWorkflowReader } from "@gantry/github";
import { openRepository, workflowFolders } from "@gantry/sources";
import { compileWorkflowWithCalls, matchTrigger, type TriggerEvent } from "@gantry/workflow-schema";
import { compileContextFor } from "./compile-context";
import { splitDiagnostics } from "./diagnostics";
import { branchHead } from "./git-refs";
import type { IntakeResult } from "./process-git-push";
import { gitFilesAt } from "./repository-files";
import type { GithubIntakeDeps } from "./github/types";
import { runWorkflowsAt, type CommitScope } from "./github/workflow-runs";
import { listenedEvents, rememberListenedEvents } from "./listened-events";

export interface DefaultBranchEvent {
  event: string;
  trigger: TriggerEvent;
  /** The stored delivery (source "gantry"): its payload is the runs' github.event. */
  deliveryId: string;
  /** Names the event in each run's idempotency key `<event>:<repo>:<keyPart>:<file>`. */
  keyPart: string;
  triggeredBy?: string;
}

type RepositoryRow = Repository & { gitSource: GitSource | null; installation: Installation | null };
const ignored = (reason: string): IntakeResult => ({ outcome: "IGNORED", reason, runs: [] });

export async function runAtDefaultBranch(deps: GithubIntakeDeps, repositoryId: string, event: DefaultBranchEvent): Promise<IntakeResult> {
  const sys = deps.db.system("intake resolves the repository before the tenant is known");
  const repository = await sys.repository.findUnique({ where: { id: repositoryId }, include: { gitSource: true, installation: true } });
  if (!repository) return ignored(`repository ${repositoryId} does not exist`);
  if (repository.archived) return ignored("repository is archived");
  if (repository.gitSource) return runGitDefaultBranch(deps, repository, repository.gitSource, event);
  const installation = repository.installation;
  if (!installation || installation.deletedAt || installation.suspendedAt) return ignored(`repository ${repository.fullName} has no active GitHub installation`);
  if (!deps.github) throw new Error("no GitHub App is configured on this worker");
  const reader = await githubWorkflowReader(deps.github, repository.fullName, installation.githubInstallationId);
  const head = await reader.resolveBranch(repository.defaultBranch);
  if (!head) return ignored(`default branch ${repository.defaultBranch} was not found in ${repository.fullName}`);
  // Every run's workflow_run events come here: known not to be listened to at this commit, they read no files.
  const folders = workflowFolders(repository).join(",");
  if (listenedEvents(repository.id, folders, head.sha)?.has(event.event) === false) return ignored(`no workflow at ${head.sha.slice(0, 7)} runs on ${event.event}`);
  const compiled: CommitScope["compiled"] = [];
  const result = await runWorkflowsAt(deps, deps.github, repository, installation.githubInstallationId, {
    event: event.event,
    ref: head.ref,
    sha: head.sha,
    trigger: event.trigger,
    trusted: true,
    deliveryId: event.deliveryId,
    keyPart: event.keyPart,
    reportInvalid: false,
    ...(event.triggeredBy ? { triggeredBy: event.triggeredBy } : {}),
  }, compiled);
  rememberListenedEvents(repository.id, folders, head.sha, compiled);
  return result;
}

async function runGitDefaultBranch(deps: GithubIntakeDeps, repository: RepositoryRow, source: GitSource, event: DefaultBranchEvent): Promise<IntakeResult> {
  const ctx: TenantContext = { tenantId: repository.tenantId, actor: { kind: "SYSTEM", id: "intake" } };
  const sys = deps.db.system("intake: create runs");
  const git = await openRepository(source.url, deps.gitCacheDir);
  const sha = await branchHead(git, repository.defaultBranch);
  if (!sha) return ignored(`default branch ${repository.defaultBranch} was not found in ${repository.fullName}`);
  const ref = `refs/heads/${repository.defaultBranch}`;
  const files = await git.workflowFiles(sha, workflowFolders(repository));
  const compileContext = await compileContextFor(deps.db, ctx, repository.id);
  const result: IntakeResult = { outcome: "IGNORED", reason: `no workflow matched this ${event.event}`, runs: [] };
  for (const file of files) {
    const source = await git.readFile(sha, file);
    const { plan, errors } = await compileWorkflowWithCalls(source, file, compileContext, gitFilesAt(git, sha));
    // An invalid file makes no FAILED run here: the push that put it on the default branch did already.
    if (!plan || !matchTrigger(plan, event.trigger)) continue;
    const created = await intake.createRun(sys, ctx, {
      repositoryId: repository.id,
      idempotencyKey: `${event.event}:${repository.id}:${event.keyPart}:${file}`,
      workflowPath: file,
      workflowName: plan.name,
      plan,
      event: event.event,
      ref,
      sha,
      trusted: true,
      deliveryId: event.deliveryId,
      warnings: splitDiagnostics(errors).warnings,
      ...(event.triggeredBy ? { triggeredBy: event.triggeredBy } : {}),
    });
    result.runs.push({ runId: created.runId, created: created.created, workflowPath: file, valid: true });
    if (created.created) await deps.startRun(ctx, created.runId);
  }
  if (result.runs.length === 0) return result;
  return { outcome: "PROCESSED", runs: result.runs };
}
