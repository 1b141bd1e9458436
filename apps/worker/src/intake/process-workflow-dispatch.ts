// Intake of a manual or API run (`workflow_dispatch`), stored by the web with the commit it resolved and the
// inputs it already validated: re-read the workflow at that commit, compile, and create the run with its typed
// inputs (an invalid workflow becomes a FAILED run with its errors, as for a push). The run's idempotency key
// comes from the client's, so a redelivery or a double-click makes one run.
import { intake, type GitSource, type Installation, type Repository, type TenantContext } from "@gantry/db";
import { compileWorkflowWithCalls, dispatchTrigger, type ReadRepositoryFile } from "@gantry/workflow-schema";
import { dispatchRunKey, type WorkflowDispatchPayload } from "@gantry/jobs";
import { compileContextFor } from "./compile-context";
import { splitDiagnostics } from "./diagnostics";
import { githubWorkflowReader } from "@gantry/github";
import { openRepository, repositoryWorkflowFiles, workflowFileRefusal } from "@gantry/sources";
import type { IntakeResult } from "./process-git-push";
import type { GithubIntakeDeps } from "./github/types";
import { gitFilesAt } from "./repository-files";

/** The files at the dispatch's commit (and the workflows that run there), through git or the GitHub App; a string saying why not otherwise. */
async function filesAt(deps: GithubIntakeDeps, repository: Repository & { gitSource: GitSource | null; installation: Installation | null }, sha: string): Promise<{ read: ReadRepositoryFile; workflows: () => Promise<string[]> } | { skip: string }> {
  if (repository.gitSource) {
    const git = await openRepository(repository.gitSource.url, deps.gitCacheDir);
    return { read: gitFilesAt(git, sha), workflows: () => repositoryWorkflowFiles(git, sha, repository) };
  }
  const installation = repository.installation;
  if (!installation || installation.deletedAt || installation.suspendedAt) return { skip: `repository ${repository.fullName} has no active GitHub installation` };
  if (!deps.github) return { skip: "no GitHub App is configured" };
  const reader = await githubWorkflowReader(deps.github, repository.fullName, installation.githubInstallationId);
  return { read: async (path) => (await reader.readFile(sha, path)) ?? undefined, workflows: () => repositoryWorkflowFiles(reader, sha, repository) };
}

export async function processWorkflowDispatch(deps: GithubIntakeDeps, repositoryId: string, dispatch: WorkflowDispatchPayload, deliveryId?: string): Promise<IntakeResult> {
  const sys = deps.db.system("intake resolves the repository before the tenant is known");
  const repository = await sys.repository.findUnique({ where: { id: repositoryId }, include: { gitSource: true, installation: true } });
  if (!repository) return { outcome: "IGNORED", reason: `repository ${repositoryId} does not exist`, runs: [] };
  if (repository.archived) return { outcome: "IGNORED", reason: "repository is archived", runs: [] };

  const ctx: TenantContext = { tenantId: repository.tenantId, actor: { kind: "SYSTEM", id: "intake" } };
  const files = await filesAt(deps, repository, dispatch.sha);
  if ("skip" in files) return { outcome: "IGNORED", reason: files.skip, runs: [] };
  // The repository's folder settings may have changed since the web checked them.
  const refusal = workflowFileRefusal(dispatch.workflowPath, await files.workflows(), repository);
  if (refusal) return { outcome: "IGNORED", reason: `${dispatch.workflowPath} does not run at ${dispatch.sha}: ${refusal}`, runs: [] };
  const source = await files.read(dispatch.workflowPath);
  if (source === undefined) return { outcome: "IGNORED", reason: `${dispatch.workflowPath} does not exist at ${dispatch.sha}`, runs: [] };
  const { plan, errors } = await compileWorkflowWithCalls(source, dispatch.workflowPath, await compileContextFor(deps.db, ctx, repository.id), files.read);
  const diagnostics = splitDiagnostics(errors);
  const base = {
    repositoryId: repository.id,
    idempotencyKey: dispatchRunKey(repository.id, dispatch.idempotencyKey),
    workflowPath: dispatch.workflowPath,
    event: "workflow_dispatch",
    ref: dispatch.ref,
    sha: dispatch.sha,
    trusted: true,
    triggeredBy: dispatch.actor,
    inputs: dispatch.inputs,
    ...(deliveryId ? { deliveryId } : {}),
    warnings: diagnostics.warnings,
  };
  if (!plan) {
    const created = await intake.createInvalidRun(sys, ctx, { ...base, workflowName: dispatch.workflowPath, errors: diagnostics.errors });
    return { outcome: "PROCESSED", runs: [{ runId: created.runId, created: created.created, workflowPath: dispatch.workflowPath, valid: false }] };
  }
  // The web checked this at the same commit; a workflow without the trigger here means the delivery was forged or stale.
  if (!dispatchTrigger(plan.triggers)) return { outcome: "IGNORED", reason: `${dispatch.workflowPath} has no workflow_dispatch trigger at ${dispatch.sha}`, runs: [] };
  const created = await intake.createRun(sys, ctx, { ...base, workflowName: plan.name, plan });
  if (created.created) await deps.startRun(ctx, created.runId);
  return { outcome: "PROCESSED", runs: [{ runId: created.runId, created: created.created, workflowPath: dispatch.workflowPath, valid: true }] };
}
