// The GitHub App's credentials (app id, private key, webhook secret, optional OAuth client id/secret), parsed from
// an env-like record with zod: one clear line per missing or invalid variable. Nothing here reads process.env;
// each app's env file hands its own environment in.
import { createPrivateKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";

export const GITHUB_API_URL = "https://api.github.com";
export const GITHUB_WEB_URL = "https://github.com";

/** The variables, each commented: docs/github.md lists them too. */
export const GITHUB_APP_ENV = {
  /** The App's numeric id (Settings → Developer settings → GitHub Apps → your app → "App ID"). */
  appId: "GANTRY_GITHUB_APP_ID",
  /** Optional: the App's URL name (github.com/apps/<slug>), for the install button. */
  slug: "GANTRY_GITHUB_APP_SLUG",
  /** The App's private key, PEM (literal newlines or `\n`). */
  privateKey: "GANTRY_GITHUB_APP_PRIVATE_KEY",
  /** Or: a path to the downloaded `.pem` file. */
  privateKeyFile: "GANTRY_GITHUB_APP_PRIVATE_KEY_FILE",
  /** The webhook secret entered in the App's settings. */
  webhookSecret: "GANTRY_GITHUB_WEBHOOK_SECRET",
  /** Optional: the App's OAuth client id and secret (both or neither). */
  clientId: "GANTRY_GITHUB_APP_CLIENT_ID",
  clientSecret: "GANTRY_GITHUB_APP_CLIENT_SECRET",
  /** Optional: the REST API base URL (GitHub Enterprise Server: https://ghe.example.com/api/v3; tests: the fake). */
  apiUrl: "GANTRY_GITHUB_API_URL",
  /** Optional: the web host for OAuth (GitHub Enterprise Server: https://ghe.example.com). */
  webUrl: "GANTRY_GITHUB_WEB_URL",
} as const;

export interface GithubAppCredentials {
  appId: string;
  /** The App's URL name (github.com/apps/<slug>); null when not known. */
  slug: string | null;
  /** The PEM text, normalised. */
  privateKeyPem: string;
  privateKey: KeyObject;
  webhookSecret: string;
  client: { id: string; secret: string } | null;
  apiUrl: string;
  webUrl: string;
}

export class GithubConfigError extends Error {
  override name = "GithubConfigError";
  constructor(readonly problems: string[]) {
    super(`Invalid GitHub App configuration:\n${problems.map((line) => `  - ${line}`).join("\n")}`);
  }
}

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());

const E = GITHUB_APP_ENV;
const schema = z.object({
  [E.appId]: z.preprocess(
    blankToUndefined,
    z
      .string({ error: `${E.appId} is not set: the App's numeric id from its settings page` })
      .trim()
      .regex(/^\d+$/, `${E.appId} must be the App's numeric id, e.g. 123456`),
  ),
  [E.slug]: optionalString,
  [E.privateKey]: optionalString,
  [E.privateKeyFile]: optionalString,
  [E.webhookSecret]: z.preprocess(
    blankToUndefined,
    z
      .string({ error: `${E.webhookSecret} is not set: the webhook secret entered in the App's settings` })
      .min(16, `${E.webhookSecret} is too short: use at least 16 random characters (openssl rand -hex 32)`),
  ),
  [E.clientId]: optionalString,
  [E.clientSecret]: optionalString,
  [E.apiUrl]: z.preprocess(blankToUndefined, z.url(`${E.apiUrl} is not a URL, e.g. ${GITHUB_API_URL}`).optional()),
  [E.webUrl]: z.preprocess(blankToUndefined, z.url(`${E.webUrl} is not a URL, e.g. ${GITHUB_WEB_URL}`).optional()),
});

/**
 * True when any of the App's own variables is set: a half-configured App is an error, an absent one is not.
 * The API and web URLs alone configure nothing (the manifest flow reads them before any App exists).
 */
export function githubAppConfigured(source: Record<string, string | undefined>): boolean {
  return Object.values(GITHUB_APP_ENV).some((name) => name !== E.apiUrl && name !== E.webUrl && blankToUndefined(source[name]) !== undefined);
}

function loadKey(inline: string | undefined, file: string | undefined, problems: string[]): { pem: string; key: KeyObject } | null {
  if (inline && file) {
    problems.push(`${E.privateKey} and ${E.privateKeyFile} are both set: keep one`);
    return null;
  }
  let pem = inline?.replace(/\\n/g, "\n");
  if (!pem && file) {
    try {
      pem = readFileSync(file, "utf8");
    } catch (error) {
      problems.push(`${E.privateKeyFile}: cannot read ${file} (${error instanceof Error ? error.message : String(error)})`);
      return null;
    }
  }
  if (!pem) {
    problems.push(`${E.privateKey} is not set: paste the App's private key (PEM), or set ${E.privateKeyFile} to the downloaded .pem file`);
    return null;
  }
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== "rsa") {
      problems.push(`${E.privateKey} is a ${key.asymmetricKeyType ?? "non-RSA"} key: GitHub Apps use RSA keys`);
      return null;
    }
    return { pem, key };
  } catch {
    problems.push(`${E.privateKey} is not a PEM private key ("-----BEGIN RSA PRIVATE KEY-----" …)`);
    return null;
  }
}

/** Parses the App's credentials; throws GithubConfigError listing every problem at once. */
export function parseGithubAppCredentials(source: Record<string, string | undefined>): GithubAppCredentials {
  const problems: string[] = [];
  const parsed = schema.safeParse(source);
  if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => issue.message));
  const key = loadKey(blankToUndefined(source[E.privateKey])?.toString(), blankToUndefined(source[E.privateKeyFile])?.toString(), problems);
  const clientId = blankToUndefined(source[E.clientId]);
  const clientSecret = blankToUndefined(source[E.clientSecret]);
  if (Boolean(clientId) !== Boolean(clientSecret)) problems.push(`${E.clientId} and ${E.clientSecret} go together: set both, or neither`);
  if (problems.length > 0 || !parsed.success || !key) throw new GithubConfigError([...new Set(problems)]);
  const env = parsed.data;
  const id = env[E.clientId];
  const secret = env[E.clientSecret];
  const client = id && secret ? { id, secret } : null;
  return {
    appId: env[E.appId],
    slug: env[E.slug] ?? null,
    privateKeyPem: key.pem,
    privateKey: key.key,
    webhookSecret: env[E.webhookSecret],
    client,
    apiUrl: (env[E.apiUrl] ?? GITHUB_API_URL).replace(/\/+$/, ""),
    webUrl: (env[E.webUrl] ?? GITHUB_WEB_URL).replace(/\/+$/, ""),
  };
}

/** Where the manifest flow keeps the App's sealed credentials (read when the variables above are not set). */
export const GITHUB_APP_FILE_ENV = "GANTRY_GITHUB_APP_FILE";
