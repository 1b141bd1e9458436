// The facts about a run that its jobs' `github` context is built from (runner-protocol's AssignedRun, less the
// token): read once here for both the engine's job-level expressions and the claim that hands them to the runner.
import type { Database, JobRun, WorkflowRun } from "@gantry/db";
import type { AssignedRun } from "@gantry/runner-protocol";
import { z } from "zod";
import { runEventPayload } from "./event-payload";

/** Where the GitHub App's repositories live, when one is configured (GITHUB_SERVER_URL, GITHUB_API_URL). */
export interface GithubUrls {
  webUrl: string;
  apiUrl: string;
}

export type RunWithRepository = Omit<WorkflowRun, "plan"> & {
  repository: { fullName: string; installationId: string | null; gitSource: { url: string } | null };
};

export type RunFacts = Omit<AssignedRun, "githubToken">;

// Intake stored these typed; anything else (an older row) reads as none.
const storedInputs = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).catch({});

/**
 * The `inputs` context: a workflow_dispatch run's typed inputs, as intake stored them; empty for other events.
 * A job of a called reusable workflow has the inputs its call gave it instead.
 */
export function inputsContext(run: Pick<WorkflowRun, "inputs">, job?: Pick<JobRun, "callerId" | "inputs">): Record<string, string | number | boolean> {
  return storedInputs.parse((job?.callerId ? job.inputs : run.inputs) ?? {});
}

export async function runFacts(db: Database, run: RunWithRepository, github: GithubUrls | null, job?: Pick<JobRun, "callerId" | "inputs">): Promise<RunFacts> {
  const onGithub = run.repository.installationId !== null && github !== null;
  return {
    id: run.id,
    number: run.runNumber,
    attempt: run.runAttempt,
    event: run.event,
    ref: run.ref,
    sha: run.sha,
    repository: run.repository.fullName,
    repositoryUrl: run.repository.gitSource?.url ?? null,
    trusted: run.trusted,
    inputs: inputsContext(run, job),
    actor: run.triggeredBy ?? "",
    eventPayload: await runEventPayload(db, run, run.repository.fullName),
    source: run.repository.installationId ? "github" : run.repository.gitSource ? "git" : "none",
    serverUrl: onGithub ? github.webUrl : "",
    apiUrl: onGithub ? github.apiUrl : "",
    workflow: run.workflowName,
  };
}

/** What runFacts needs of a run's repository, for a Prisma `include`. */
export const REPOSITORY_FOR_FACTS = { select: { fullName: true, installationId: true, gitSource: { select: { url: true } } } } as const;
