// The values of a job's expression contexts, from what the claim's assignment says about the run.
import { githubContext, type Assignment } from "@gantry/runner-protocol";
import type { JobContextValues } from "./execution/types";

const asText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

export function jobContexts(assignment: Assignment): JobContextValues {
  const { run } = assignment;
  return {
    // Built by the one function the engine also evaluates job-level expressions with (runner-protocol contexts.ts).
    github: {
      ...githubContext(run, assignment.job.jobId),
      // The job's GITHUB_TOKEN (GitHub-connected runs only); masked with the secrets below.
      ...(run.githubToken ? { token: run.githubToken } : {}),
    },
    inputs: run.inputs,
    strategy: assignment.strategy,
    vars: assignment.vars,
    // GITHUB_TOKEN joins the job's secrets (GitHub refuses secrets named GITHUB_*, so it never shadows one).
    secrets: run.githubToken ? { ...assignment.secrets, GITHUB_TOKEN: run.githubToken } : assignment.secrets,
    needs: Object.fromEntries(
      Object.entries(assignment.needs).map(([job, need]) => [job, { result: need.result, outputs: Object.fromEntries(Object.entries(need.outputs).map(([key, value]) => [key, asText(value)])) }]),
    ),
  };
}
