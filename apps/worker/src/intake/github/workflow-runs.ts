// One event at one commit → runs: read the workflow files at the commit through the contents API, compile each,
// match its triggers, and create one run per matching workflow (a FAILED run with every error for an invalid
// one). The idempotency key `<event>:<repo>:<ref>:<sha>:<file>` makes a redelivery a no-op.
import { intake, type Repository, type TenantContext } from "@gantry/db";
import { ContentsReader } from "@gantry/github";
import { compileWorkflowWithCalls, matchTrigger, type TenantContext as CompileContext, type TriggerEvent, type WorkflowPlan } from "@gantry/workflow-schema";
import { compileContextFor } from "../compile-context";
import { splitDiagnostics } from "../diagnostics";
import { githubFilesAt } from "../repository-files";
import { repositoryWorkflowFiles } from "@gantry/sources";
import type { IntakeResult } from "../process-git-push";
import { reportRunChecks } from "./report-checks";
import type { GithubIntake, GithubIntakeDeps } from "./types";

export interface CommitEvent {
  event: string;
  ref: string;
  sha: string;
  /** A pull request run on its merge commit: the head commit (its check runs go there). */
  headSha?: string;
  /** null: no trigger matching (a re-run of a run that matched once). */
  trigger: TriggerEvent | null;
  trusted: boolean;
  triggeredBy?: string;
  /** The stored delivery this event came in (the runs' `github.event`); none for a reconciled event. */
  deliveryId?: string;
  /** What identifies the event in the idempotency key, when not `<ref>:<sha>` (pull_request_target: the head too). */
  keyPart?: string;
  /** false: an invalid workflow file makes no FAILED run here (another event at that commit already did). */
  reportInvalid?: boolean;
  /** Said on each run as a warning (a pull request run on its head commit: no merge commit). */
  notes?: string[];
  /** A fork's pull request held by the tenant's policy: why. Its runs are created held and not started. */
  approvalRequired?: string;
}

/** A note about the event as a run warning of the workflow file (line 0: the whole file). */
const noteWarning = (file: string, message: string): intake.WorkflowDiagnostic => ({ file, line: 0, col: 0, code: "run-note", message, severity: "warning" });

/** What runs at one commit of one repository need: tenant, contents reader, compile context, token. */
export interface CommitScope {
  deps: GithubIntakeDeps;
  github: GithubIntake;
  repository: Repository;
  githubInstallationId: bigint;
  ctx: TenantContext;
  reader: ContentsReader;
  compileContext: CompileContext;
  /** When given, every file compiled in this scope lands here (a default-branch push syncs schedules from it). */
  compiled?: { file: string; plan?: WorkflowPlan | undefined }[];
}

export async function openCommitScope(deps: GithubIntakeDeps, github: GithubIntake, repository: Repository, githubInstallationId: bigint): Promise<CommitScope> {
  const ctx: TenantContext = { tenantId: repository.tenantId, actor: { kind: "SYSTEM", id: "github-intake" } };
  const { token } = await github.tokens.get(githubInstallationId);
  const reader = new ContentsReader({ apiUrl: github.apiUrl, repository: repository.fullName, token, ...(github.fetch ? { fetch: github.fetch } : {}) });
  return { deps, github, repository, githubInstallationId, ctx, reader, compileContext: await compileContextFor(deps.db, ctx, repository.id) };
}

type RunEntry = IntakeResult["runs"][number];

/** Compiles one workflow file at the commit and creates its run under the key (null: its triggers do not match). */
export async function runWorkflowFile(scope: CommitScope, commit: CommitEvent, file: string, idempotencyKey: string): Promise<RunEntry | null> {
  const { deps, ctx, repository } = scope;
  const sys = deps.db.system("github intake: create runs");
  const source = await scope.reader.readFile(file, commit.sha);
  const { plan, errors } = await compileWorkflowWithCalls(source, file, scope.compileContext, githubFilesAt(scope.reader, commit.sha));
  scope.compiled?.push({ file, plan });
  const diagnostics = splitDiagnostics(errors);
  const base = {
    repositoryId: repository.id,
    idempotencyKey,
    workflowPath: file,
    event: commit.event,
    ref: commit.ref,
    sha: commit.sha,
    ...(commit.headSha ? { headSha: commit.headSha } : {}),
    trusted: commit.trusted,
    ...(commit.triggeredBy ? { triggeredBy: commit.triggeredBy } : {}),
    ...(commit.deliveryId ? { deliveryId: commit.deliveryId } : {}),
    warnings: [...(commit.notes ?? []).map((note) => noteWarning(file, note)), ...diagnostics.warnings],
  };
  if (!plan) {
    if (commit.reportInvalid === false) return null;
    const created = await intake.createInvalidRun(sys, ctx, { ...base, workflowName: file, errors: diagnostics.errors });
    if (created.created) await reportChecks(scope, created.runId);
    return { runId: created.runId, created: created.created, workflowPath: file, valid: false };
  }
  if (commit.trigger && !matchTrigger(plan, commit.trigger)) return null;
  const created = await intake.createRun(sys, ctx, { ...base, workflowName: plan.name, plan, ...(commit.approvalRequired ? { approvalRequired: commit.approvalRequired } : {}) });
  if (created.created) {
    // Queued check runs first: once the run starts, a runner may claim a job, and its report must find the check.
    // A held run's checks say "action required" instead, and it is started only when a maintainer approves it.
    await reportChecks(scope, created.runId);
    if (!commit.approvalRequired) await deps.startRun(ctx, created.runId);
  }
  return { runId: created.runId, created: created.created, workflowPath: file, valid: true };
}

export function settled(result: IntakeResult): IntakeResult {
  if (result.runs.length === 0) return result;
  const { reason: _reason, ...rest } = result;
  return { ...rest, outcome: "PROCESSED" };
}

export async function runWorkflowsAt(
  deps: GithubIntakeDeps,
  github: GithubIntake,
  repository: Repository,
  githubInstallationId: bigint,
  commit: CommitEvent,
  compiled?: CommitScope["compiled"],
): Promise<IntakeResult> {
  const scope = { ...(await openCommitScope(deps, github, repository, githubInstallationId)), ...(compiled ? { compiled } : {}) };
  const files = await repositoryWorkflowFiles(scope.reader, commit.sha, repository);
  if (files.length === 0) return { outcome: "IGNORED", reason: "no workflow files at this commit", runs: [] };
  const result: IntakeResult = { outcome: "IGNORED", reason: `no workflow matched this ${commit.event}`, runs: [] };
  for (const file of files) {
    const entry = await runWorkflowFile(scope, commit, file, `${commit.event}:${repository.id}:${commit.keyPart ?? `${commit.ref}:${commit.sha}`}:${file}`);
    if (entry) result.runs.push(entry);
  }
  return settled(result);
}

async function reportChecks(scope: CommitScope, runId: string): Promise<void> {
  if (scope.github.checks === false) return;
  await reportRunChecks(scope.deps.db, scope.github, scope.ctx, scope.githubInstallationId, runId).catch((error: unknown) => {
    scope.github.log?.(`github: check runs for ${runId} not reported: ${error instanceof Error ? error.message : String(error)}`);
  });
}

