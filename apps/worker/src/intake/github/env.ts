// The worker's GitHub App settings (GANTRY_GITHUB_* — docs/github.md), parsed by @gantry/github. Until
// apps/worker/src/env.ts carries them and worker.ts passes `github` in the intake deps, intake reads them here.
import { githubAppFromEnv, InstallationTokens } from "@gantry/github";
import type { GithubIntake } from "./types";

/** null when no GitHub App is configured; throws GithubConfigError (one line per problem) when half is. */
export function githubIntakeFromEnv(source: Record<string, string | undefined>): GithubIntake | null {
  const app = githubAppFromEnv(source);
  if (!app) return null;
  return {
    apiUrl: app.apiUrl,
    tokens: new InstallationTokens({ appId: app.appId, privateKey: app.privateKey, apiUrl: app.apiUrl }),
    log: (line) => console.error(`[worker] ${line}`),
  };
}

let fromProcess: GithubIntake | null = null;

/**
 * One per process, so that installation tokens are cached across deliveries. Until an App is configured this
 * looks again on each call (the manifest flow may write GANTRY_GITHUB_APP_FILE while the worker runs).
 */
export function processGithubIntake(): GithubIntake | null {
  fromProcess ??= githubIntakeFromEnv(process.env);
  return fromProcess;
}
