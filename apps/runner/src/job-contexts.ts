// The values of a job's expression contexts, from what the claim's assignment says about the run.
import type { Assignment } from "@gantry/runner-protocol";
import type { JobContextValues } from "./execution/types";

const refName = (ref: string) => ref.replace(/^refs\/(heads|tags)\//, "");
const refType = (ref: string) => (ref.startsWith("refs/tags/") ? "tag" : "branch");
const asText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

export function jobContexts(assignment: Assignment): JobContextValues {
  const { run } = assignment;
  return {
    github: {
      event_name: run.event,
      ref: run.ref,
      ref_name: refName(run.ref),
      ref_type: refType(run.ref),
      sha: run.sha,
      repository: run.repository,
      repository_owner: run.repository.split("/")[0] ?? "",
      actor: run.actor,
      triggering_actor: run.actor,
      run_id: run.id,
      run_number: run.number,
      run_attempt: assignment.attempt,
      job: assignment.job.jobId,
      // The job's GITHUB_TOKEN (GitHub-connected runs only); masked with the secrets below.
      ...(run.githubToken ? { token: run.githubToken } : {}),
      ...(run.serverUrl ? { server_url: run.serverUrl } : {}),
      ...(run.apiUrl ? { api_url: run.apiUrl } : {}),
      // The event that started the run. As on GitHub, a manual run's github.event.inputs are strings (the inputs
      // context keeps the types).
      event: run.event === "workflow_dispatch" ? { ...run.eventPayload, inputs: Object.fromEntries(Object.entries(run.inputs).map(([name, value]) => [name, String(value)])) } : run.eventPayload,
    },
    inputs: run.inputs,
    // GITHUB_TOKEN joins the job's secrets (GitHub refuses secrets named GITHUB_*, so it never shadows one).
    secrets: run.githubToken ? { ...assignment.secrets, GITHUB_TOKEN: run.githubToken } : assignment.secrets,
    needs: Object.fromEntries(
      Object.entries(assignment.needs).map(([job, need]) => [job, { result: need.result, outputs: Object.fromEntries(Object.entries(need.outputs).map(([key, value]) => [key, asText(value)])) }]),
    ),
  };
}
