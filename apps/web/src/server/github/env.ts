// The GitHub App's settings for the web app (GANTRY_GITHUB_* — see docs/github.md), parsed by @gantry/github.
// Until apps/web/src/env.ts carries these variables, this is the one other file in apps/web that reads them.
import { statSync } from "node:fs";
import { GITHUB_API_URL, GITHUB_APP_FILE_ENV, GITHUB_WEB_URL, githubAppFromEnv, type GithubAppCredentials } from "@gantry/github";
import { z } from "zod";

let cached: { key: string; app: GithubAppCredentials | null } | undefined;

const fileStamp = (path: string | undefined) => {
  if (!path) return "";
  try {
    return String(statSync(path).mtimeMs);
  } catch {
    return "absent";
  }
};

/** null when no GitHub App is configured; throws GithubConfigError (one line per problem) when half is. */
export function githubAppConfig(source: Record<string, string | undefined>): GithubAppCredentials | null {
  // Re-read when a variable changes or the manifest flow (re)writes the App file.
  const key = JSON.stringify([Object.entries(source).filter(([name]) => name.startsWith("GANTRY_GITHUB_") || name === "GANTRY_MASTER_KEY"), fileStamp(source[GITHUB_APP_FILE_ENV])]);
  if (cached?.key !== key) cached = { key, app: githubAppFromEnv(source) };
  return cached.app;
}

const manifestSettings = z.object({
  [GITHUB_APP_FILE_ENV]: z.string().trim().min(1).optional(),
  GANTRY_MASTER_KEY: z.string().optional(),
  GANTRY_GITHUB_API_URL: z.url().optional(),
  GANTRY_GITHUB_WEB_URL: z.url().optional(),
});

export interface ManifestSettings {
  /** Where the manifest flow writes the sealed App credentials; null: the flow is off. */
  appFile: string | null;
  masterKey: Buffer | null;
  apiUrl: string;
  webUrl: string;
}

export function githubManifestSettings(source: Record<string, string | undefined>): ManifestSettings {
  const env = manifestSettings.parse(Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== "")));
  const masterKey = env.GANTRY_MASTER_KEY ? Buffer.from(env.GANTRY_MASTER_KEY, "base64") : null;
  return {
    appFile: env[GITHUB_APP_FILE_ENV] ?? null,
    masterKey: masterKey?.length === 32 ? masterKey : null,
    apiUrl: (env.GANTRY_GITHUB_API_URL ?? GITHUB_API_URL).replace(/\/+$/, ""),
    webUrl: (env.GANTRY_GITHUB_WEB_URL ?? GITHUB_WEB_URL).replace(/\/+$/, ""),
  };
}

/** The process environment's GitHub App. */
export function processGithubApp(): GithubAppCredentials | null {
  // eslint-disable-next-line no-restricted-properties -- GANTRY_GITHUB_* are not in src/env.ts yet (docs/github.md).
  return githubAppConfig(process.env);
}

/** The process environment's manifest-flow settings. */
export function processManifestSettings(): ManifestSettings {
  // eslint-disable-next-line no-restricted-properties -- GANTRY_GITHUB_* are not in src/env.ts yet (docs/github.md).
  return githubManifestSettings(process.env);
}
