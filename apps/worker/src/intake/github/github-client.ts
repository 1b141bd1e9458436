// The worker's GitHub client, built from the env's App (apps/worker/src/env.ts → GithubAppSource): one per App,
// so installation tokens are cached across jobs, and looked up on each use because the manifest flow may write
// the App file while the worker runs.
import { InstallationTokens, type GithubAppCredentials, type GithubAppSource } from "@gantry/github";
import type { GithubIntake } from "./types";

export function githubIntakeFor(app: GithubAppCredentials, log: (line: string) => void = (line) => console.error(`[worker] ${line}`), publicUrl?: string): GithubIntake {
  return {
    apiUrl: app.apiUrl,
    appId: app.appId,
    tokens: new InstallationTokens({ appId: app.appId, privateKey: app.privateKey, apiUrl: app.apiUrl }),
    log,
    ...(publicUrl ? { publicUrl } : {}),
  };
}

/**
 * The current App's client (null: no App configured); a new client only when the App itself changed. `publicUrl`:
 * where browsers reach Gantry, so intake's check runs link to their run page.
 */
export function githubClientSource(source: GithubAppSource, log?: (line: string) => void, publicUrl?: string): () => GithubIntake | null {
  let built: { app: GithubAppCredentials; client: GithubIntake } | undefined;
  return () => {
    const app = source.current();
    if (!app) return null;
    if (built?.app !== app) built = { app, client: githubIntakeFor(app, log, publicUrl) };
    return built.client;
  };
}
