// The GITHUB_* and RUNNER_* variables every step sees, derived from the github context and the sandbox.
import type { Sandbox } from "../sandbox/types";

// github context key → variable, for the values that are plain strings or numbers.
const FROM_CONTEXT: Record<string, string> = {
  repository: "GITHUB_REPOSITORY",
  repository_owner: "GITHUB_REPOSITORY_OWNER",
  sha: "GITHUB_SHA",
  ref: "GITHUB_REF",
  ref_name: "GITHUB_REF_NAME",
  ref_type: "GITHUB_REF_TYPE",
  head_ref: "GITHUB_HEAD_REF",
  base_ref: "GITHUB_BASE_REF",
  event_name: "GITHUB_EVENT_NAME",
  actor: "GITHUB_ACTOR",
  triggering_actor: "GITHUB_TRIGGERING_ACTOR",
  workflow: "GITHUB_WORKFLOW",
  run_id: "GITHUB_RUN_ID",
  run_number: "GITHUB_RUN_NUMBER",
  run_attempt: "GITHUB_RUN_ATTEMPT",
  server_url: "GITHUB_SERVER_URL",
  api_url: "GITHUB_API_URL",
  retention_days: "GITHUB_RETENTION_DAYS",
};

export interface StepFiles {
  output: string;
  env: string;
  path: string;
  summary: string;
}

/** Where the job's `github.event` is, as JSON, inside the sandbox (written by the job executor before the first step). */
export function eventPath(sandbox: Sandbox): string {
  return `${sandbox.paths.runnerFiles}/event.json`;
}

export function githubEnv(github: Record<string, unknown>, sandbox: Sandbox, jobId: string, files: StepFiles, action: string): Record<string, string> {
  const env: Record<string, string> = { CI: "true", GITHUB_ACTIONS: "true", RUNNER_OS: "Linux", RUNNER_ARCH: process.arch === "arm64" ? "ARM64" : "X64", RUNNER_TEMP: sandbox.paths.temp };
  for (const [key, name] of Object.entries(FROM_CONTEXT)) {
    const value = github[key];
    if (typeof value === "string" || typeof value === "number") env[name] = String(value);
  }
  env.GITHUB_JOB = jobId;
  env.GITHUB_ACTION = action;
  env.GITHUB_WORKSPACE = sandbox.paths.workspace;
  env.GITHUB_OUTPUT = files.output;
  env.GITHUB_ENV = files.env;
  env.GITHUB_PATH = files.path;
  env.GITHUB_STEP_SUMMARY = files.summary;
  env.GITHUB_EVENT_PATH = eventPath(sandbox);
  return env;
}
