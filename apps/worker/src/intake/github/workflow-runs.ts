// One event at one commit → runs: read the workflow files at the commit through the contents API, compile each,
// match its triggers, and create one run per matching workflow (a FAILED run with every error for an invalid
// one). The idempotency key `<event>:<repo>:<ref>:<sha>:<file>` makes a redelivery a no-op.
import { intake, type Database, type Repository, type TenantContext } from "@gantry/db";
import { ContentsReader } from "@gantry/github";
import { compileWorkflow, matchTrigger, type TriggerEvent } from "@gantry/workflow-schema";
import { compileContextFor } from "../compile-context";
import { GITHUB_WORKFLOW_FOLDER, WORKFLOW_FOLDERS, type IntakeResult } from "../process-git-push";
import { reportRunChecks } from "./report-checks";
import { startRun } from "./start-run";
import type { GithubIntake, GithubIntakeDeps } from "./types";

export interface CommitEvent {
  event: "push" | "pull_request";
  ref: string;
  sha: string;
  trigger: TriggerEvent;
  trusted: boolean;
  triggeredBy?: string;
}

export async function runWorkflowsAt(deps: GithubIntakeDeps & { db: Database }, github: GithubIntake, repository: Repository, githubInstallationId: bigint, commit: CommitEvent): Promise<IntakeResult> {
  const ctx: TenantContext = { tenantId: repository.tenantId, actor: { kind: "SYSTEM", id: "github-intake" } };
  const sys = deps.db.system("github intake: create runs");
  const { token } = await github.tokens.get(githubInstallationId);
  const reader = new ContentsReader({ apiUrl: github.apiUrl, repository: repository.fullName, token, ...(github.fetch ? { fetch: github.fetch } : {}) });
  const folders = repository.readGithubWorkflows ? [...WORKFLOW_FOLDERS, GITHUB_WORKFLOW_FOLDER] : WORKFLOW_FOLDERS;
  const files = await reader.workflowFiles(commit.sha, folders);
  if (files.length === 0) return { outcome: "IGNORED", reason: "no workflow files at this commit", runs: [] };

  const compileContext = await compileContextFor(deps.db, ctx, repository.id);
  const result: IntakeResult = { outcome: "IGNORED", reason: `no workflow matched this ${commit.event}`, runs: [] };
  for (const file of files) {
    const source = await reader.readFile(file, commit.sha);
    const { plan, errors } = compileWorkflow(source, file, compileContext);
    const base = {
      repositoryId: repository.id,
      idempotencyKey: `${commit.event}:${repository.id}:${commit.ref}:${commit.sha}:${file}`,
      workflowPath: file,
      event: commit.event,
      ref: commit.ref,
      sha: commit.sha,
      trusted: commit.trusted,
      ...(commit.triggeredBy ? { triggeredBy: commit.triggeredBy } : {}),
    };
    if (!plan) {
      const created = await intake.createInvalidRun(sys, ctx, { ...base, workflowName: file, errors: errors.map((error) => ({ ...error })) });
      result.runs.push({ runId: created.runId, created: created.created, workflowPath: file, valid: false });
      if (created.created) await reportChecks(deps.db, github, ctx, githubInstallationId, created.runId);
      continue;
    }
    if (!matchTrigger(plan, commit.trigger)) continue;
    const created = await intake.createRun(sys, ctx, { ...base, workflowName: plan.name, plan });
    result.runs.push({ runId: created.runId, created: created.created, workflowPath: file, valid: true });
    if (created.created) {
      await startRun(deps, ctx, created.runId, plan.concurrency);
      await reportChecks(deps.db, github, ctx, githubInstallationId, created.runId);
    }
  }
  if (result.runs.length > 0) {
    result.outcome = "PROCESSED";
    delete result.reason;
  }
  return result;
}

async function reportChecks(db: Database, github: GithubIntake, ctx: TenantContext, githubInstallationId: bigint, runId: string): Promise<void> {
  if (github.checks === false) return;
  await reportRunChecks(db, github, ctx, githubInstallationId, runId).catch((error: unknown) => {
    github.log?.(`github: check runs for ${runId} not reported: ${error instanceof Error ? error.message : String(error)}`);
  });
}
