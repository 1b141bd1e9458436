// The variables that tie a step to the runner's tools and services: RUNNER_TOOL_CACHE (every step, as on GitHub),
// the GitHub API through the runner's service proxy for GitHub-connected runs, and — for actions only — the
// cache/artifact services' URLs with the job's runtime token, as the actions toolkit reads them.
import { ACTIONS_SERVICE_PATH } from "@gantry/runner-protocol";
import type { Sandbox } from "../sandbox/types";
import type { ActionsOptions } from "./types";

/** RUNNER_TOOL_CACHE as processes inside see it; a `process` sandbox mounts nothing, so the host folder is it. */
export function toolCacheInside(sandbox: Sandbox, options: ActionsOptions | undefined): string | undefined {
  return sandbox.paths.toolCache ?? (sandbox.provider === "process" ? options?.toolCache : undefined);
}

/** What every step sees of the runner's tools and of GitHub (for a `github` run). */
export function runnerToolEnv(sandbox: Sandbox, options: ActionsOptions | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  const toolCache = toolCacheInside(sandbox, options);
  if (toolCache !== undefined) env.RUNNER_TOOL_CACHE = toolCache;
  if (options?.source === "github") {
    if (options.serverUrl) env.GITHUB_SERVER_URL = options.serverUrl;
    // The proxy forwards /github-api to the run's API URL: the sandbox may have no egress of its own.
    if (sandbox.serviceUrl) env.GITHUB_API_URL = `${sandbox.serviceUrl}/github-api`;
  }
  return env;
}

/** The actions toolkit's service variables (cache, artifacts, results), when the sandbox has the service proxy. */
export function actionServiceEnv(sandbox: Sandbox, options: ActionsOptions | undefined): Record<string, string> {
  if (!sandbox.serviceUrl) return {};
  const url = `${sandbox.serviceUrl}${ACTIONS_SERVICE_PATH}`;
  return { ACTIONS_RUNTIME_URL: url, ACTIONS_CACHE_URL: url, ACTIONS_RESULTS_URL: url, ...(options?.runtimeToken ? { ACTIONS_RUNTIME_TOKEN: options.runtimeToken } : {}) };
}
