// The GitHub App's part of an app's typed env (STYLE.md practice 3): apps/web/src/env.ts and apps/worker/src/env.ts
// spread `githubEnvSchema.shape` into their schema, report `githubEnvIssues` with their other problems, and keep
// `githubConfigFromEnv(...)`. Nothing set is valid: no App, and plain git still works.
import { existsSync, statSync } from "node:fs";
import { z } from "zod";
import { readAppFile } from "./app-file";
import { GITHUB_API_URL, GITHUB_APP_ENV, GITHUB_APP_FILE_ENV, GITHUB_WEB_URL, GithubConfigError, githubAppConfigured, parseGithubAppCredentials, type GithubAppCredentials } from "./credentials";

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
const E = GITHUB_APP_ENV;

export const githubEnvSchema = z.object({
  /** The App's numeric id (Settings → Developer settings → GitHub Apps → your App → "App ID"). */
  GANTRY_GITHUB_APP_ID: optional(z.string().trim().regex(/^\d+$/, `${E.appId} must be the App's numeric id, e.g. 123456`)),
  /** The App's URL name (github.com/apps/<slug>), for the "Install on GitHub" button; the manifest flow stores it. */
  GANTRY_GITHUB_APP_SLUG: optional(z.string().trim().regex(/^[a-z0-9][a-z0-9-]*$/, `${E.slug} must be the App's URL name, e.g. gantry-ci (github.com/apps/gantry-ci)`)),
  /** The App's private key, PEM (literal newlines or `\n`). */
  GANTRY_GITHUB_APP_PRIVATE_KEY: optional(z.string()),
  /** Or: the path of the downloaded `.pem` file. */
  GANTRY_GITHUB_APP_PRIVATE_KEY_FILE: optional(z.string().trim()),
  /** The webhook secret entered in the App's settings, at least 16 characters (`openssl rand -hex 32`). */
  GANTRY_GITHUB_WEBHOOK_SECRET: optional(z.string().min(16, `${E.webhookSecret} is too short: use at least 16 random characters (openssl rand -hex 32)`)),
  /** The App's OAuth client id, for the setup callback (with the secret: both or neither). */
  GANTRY_GITHUB_APP_CLIENT_ID: optional(z.string().trim()),
  /** The App's OAuth client secret. */
  GANTRY_GITHUB_APP_CLIENT_SECRET: optional(z.string().trim()),
  /** The REST API (default https://api.github.com; GitHub Enterprise Server: https://<host>/api/v3; tests: the fake). */
  GANTRY_GITHUB_API_URL: optional(z.url(`${E.apiUrl} is not a URL, e.g. ${GITHUB_API_URL}`)),
  /** The web host, for OAuth and install pages (default https://github.com; GHES: https://<host>). */
  GANTRY_GITHUB_WEB_URL: optional(z.url(`${E.webUrl} is not a URL, e.g. ${GITHUB_WEB_URL}`)),
  /** Where the manifest flow keeps the App's sealed credentials; read when the variables above are not set (needs GANTRY_MASTER_KEY). */
  GANTRY_GITHUB_APP_FILE: optional(z.string().trim()),
});

export type GithubEnv = z.output<typeof githubEnvSchema>;

/** The App's settings, as the env gives them; the credentials themselves may come from the App file later. */
export interface GithubConfig {
  /** The credentials from the GANTRY_GITHUB_* variables, when they are set. */
  variables: GithubAppCredentials | null;
  /** Where the manifest flow writes (and we read) the sealed credentials; null: the manifest flow is off. */
  appFile: string | null;
  masterKey: Buffer | null;
  apiUrl: string;
  webUrl: string;
}

function masterKeyOf(value: string | undefined): Buffer | null {
  const key = value ? Buffer.from(value, "base64") : null;
  return key?.length === 32 ? key : null;
}

function problemsOf(error: unknown): string[] {
  if (error instanceof GithubConfigError) return error.problems;
  throw error;
}

/**
 * Every problem with the GitHub variables of a raw environment, one line each: a half-configured App (what is
 * missing, what is malformed), or an App file without the master key that opens it. Empty when nothing is set.
 */
export function githubEnvIssues(source: Record<string, string | undefined>): { variable: string; message: string }[] {
  const problems: string[] = [];
  if (githubAppConfigured(source)) {
    try {
      parseGithubAppCredentials(source);
    } catch (error) {
      problems.push(...problemsOf(error));
    }
  }
  if (blankToUndefined(source[GITHUB_APP_FILE_ENV]) !== undefined && !masterKeyOf(source.GANTRY_MASTER_KEY)) {
    problems.push(`${GITHUB_APP_FILE_ENV} is set: GANTRY_MASTER_KEY (32 random bytes, base64) is needed to seal and open it`);
  }
  return problems.map((message) => ({ variable: /^(GANTRY_[A-Z_]+)/.exec(message)?.[1] ?? GITHUB_APP_FILE_ENV, message }));
}

/** The parsed fragment as a GithubConfig; call once githubEnvIssues found nothing (else GithubConfigError). */
export function githubConfigFromEnv(env: GithubEnv & { GANTRY_MASTER_KEY?: string | undefined }): GithubConfig {
  const source: Record<string, string | undefined> = { ...env };
  return {
    variables: githubAppConfigured(source) ? parseGithubAppCredentials(source) : null,
    appFile: env.GANTRY_GITHUB_APP_FILE ?? null,
    masterKey: masterKeyOf(env.GANTRY_MASTER_KEY),
    apiUrl: (env.GANTRY_GITHUB_API_URL ?? GITHUB_API_URL).replace(/\/+$/, ""),
    webUrl: (env.GANTRY_GITHUB_WEB_URL ?? GITHUB_WEB_URL).replace(/\/+$/, ""),
  };
}

/**
 * The App a process works with now: the variables when set, else the sealed App file — read again whenever it
 * changes, because the manifest flow writes it while web and worker run. null: no App configured.
 */
export class GithubAppSource {
  private cached: { stamp: string; app: GithubAppCredentials | null } | undefined;

  constructor(readonly config: GithubConfig) {}

  current(): GithubAppCredentials | null {
    if (this.config.variables) return this.config.variables;
    const file = this.config.appFile;
    if (!file || !this.config.masterKey || !existsSync(file)) return null;
    const stamp = String(statSync(file).mtimeMs);
    if (this.cached?.stamp !== stamp) {
      const stored = readAppFile(file, this.config.masterKey);
      const app = parseGithubAppCredentials({
        [E.appId]: stored.appId,
        [E.slug]: stored.slug,
        [E.privateKey]: stored.privateKeyPem,
        [E.webhookSecret]: stored.webhookSecret,
        [E.clientId]: stored.clientId,
        [E.clientSecret]: stored.clientSecret,
        [E.apiUrl]: stored.apiUrl,
        [E.webUrl]: stored.webUrl,
      });
      this.cached = { stamp, app };
    }
    return this.cached.app;
  }
}

/** The GitHub part of a raw environment on its own (tests, scripts): every problem in one GithubConfigError. */
export function parseGithubEnv(source: Record<string, string | undefined>): GithubConfig {
  const parsed = githubEnvSchema.safeParse(source);
  if (!parsed.success) throw new GithubConfigError([...new Set(parsed.error.issues.map((issue) => issue.message))]);
  const issues = githubEnvIssues(source);
  if (issues.length > 0) throw new GithubConfigError(issues.map((issue) => issue.message));
  return githubConfigFromEnv({ ...parsed.data, GANTRY_MASTER_KEY: source.GANTRY_MASTER_KEY });
}

/** null when no GitHub App is configured; the variables' App, else the App file's; GithubConfigError when half set. */
export function githubAppFromEnv(source: Record<string, string | undefined>): GithubAppCredentials | null {
  return new GithubAppSource(parseGithubEnv(source)).current();
}
