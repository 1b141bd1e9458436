// The GitHub App's settings for the web app (GANTRY_GITHUB_* — see docs/github.md), parsed by @gantry/github.
// Until apps/web/src/env.ts carries these variables, this is the one other file in apps/web that reads them.
import { githubAppFromEnv, type GithubAppCredentials } from "@gantry/github";

let cached: { key: string; app: GithubAppCredentials | null } | undefined;

/** null when no GitHub App is configured; throws GithubConfigError (one line per problem) when half is. */
export function githubAppConfig(source: Record<string, string | undefined>): GithubAppCredentials | null {
  const key = JSON.stringify(Object.entries(source).filter(([name]) => name.startsWith("GANTRY_GITHUB_")));
  if (cached?.key !== key) cached = { key, app: githubAppFromEnv(source) };
  return cached.app;
}

/** The process environment's GitHub App. */
export function processGithubApp(): GithubAppCredentials | null {
  // eslint-disable-next-line no-restricted-properties -- GANTRY_GITHUB_* are not in src/env.ts yet (docs/github.md).
  return githubAppConfig(process.env);
}
