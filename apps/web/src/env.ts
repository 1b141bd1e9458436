// The web app's typed environment (STYLE.md practice 3). The only file in apps/web that reads process.env;
// parsed when called, never at import time, so `next build` and tests need no env to import the app.
import path from "node:path";
import { dbEnvSchema } from "@gantry/db";
import { githubConfigFromEnv, githubEnvIssues, githubEnvSchema, type GithubConfig } from "@gantry/github";
import { z } from "zod";

const url = (name: string, example: string) =>
  z
    .string({ error: `${name} is not set: expected a URL such as ${example}` })
    .trim()
    .url(`${name} is not a URL: expected something like ${example}`);

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    schema.optional(),
  );

const fields = z.object({
  ...dbEnvSchema.shape,
  /** The GitHub App (GANTRY_GITHUB_*, each commented in @gantry/github's env.ts; docs/github.md). None set: no App. */
  ...githubEnvSchema.shape,
  /** Redis for queues, live logs and worker heartbeats, e.g. redis://127.0.0.1:6379 */
  REDIS_URL: url("REDIS_URL", "redis://127.0.0.1:6379").refine(
    (value) => /^rediss?:\/\//.test(value),
    "REDIS_URL must start with redis:// or rediss://",
  ),
  /** Signs and encrypts session cookies (next-auth). Generate one with `openssl rand -base64 32`. */
  NEXTAUTH_SECRET: z
    .string({ error: "NEXTAUTH_SECRET is not set: generate one with `openssl rand -base64 32`" })
    .min(16, "NEXTAUTH_SECRET is too short: use at least 16 characters (`openssl rand -base64 32`)"),
  /**
   * The URL browsers reach this app at, e.g. http://localhost:3000 (next-auth's callback base).
   * AUTH_URL (the Auth.js v5 name) is accepted in its place.
   */
  NEXTAUTH_URL: z
    .string({
      error:
        "NEXTAUTH_URL is not set: the URL browsers use for this app, e.g. http://localhost:3000 (AUTH_URL also works)",
    })
    .trim()
    .url("NEXTAUTH_URL (or AUTH_URL) is not a URL: expected something like http://localhost:3000"),
  /** Where runners and webhooks reach the control plane when it differs from NEXTAUTH_URL (behind a proxy). */
  GANTRY_PUBLIC_URL: optional(url("GANTRY_PUBLIC_URL", "https://ci.example.com")),
  /** 32 random bytes, base64: unwraps tenants' data keys (secrets, git sources' notification secrets). */
  GANTRY_MASTER_KEY: optional(
    z.string().refine((value) => Buffer.from(value, "base64").length === 32, "GANTRY_MASTER_KEY must be 32 random bytes, base64 (openssl rand -base64 32)"),
  ),
  /** BullMQ key prefix shared with the worker (tests give each run its own). */
  GANTRY_QUEUE_PREFIX: z.string().min(1).default("gantry"),
  /** How long a job attempt's lease lasts without a heartbeat (ms). */
  GANTRY_LEASE_MS: z.coerce.number().int().min(1_000).default(30_000),
  /** How often runners are told to send heartbeats (ms); a third of the lease or less. */
  GANTRY_HEARTBEAT_MS: z.coerce.number().int().min(100).default(5_000),
  /** Gantry's local state folder (the up-command's; default `.gantry` under the working directory). */
  GANTRY_STATE_DIR: optional(z.string().min(1)),
  /** The object store directory for archived logs (default `<GANTRY_STATE_DIR>/storage`). */
  GANTRY_STORAGE_DIR: optional(z.string().min(1)),
  /** Per-tenant quota of artifact and cache bytes in the object store (live artifacts plus caches). */
  GANTRY_STORAGE_QUOTA_BYTES: z.coerce.number().int().min(0).default(10 * 1024 * 1024 * 1024),
  /** Signs the expiring artifact and cache URLs (default: derived from NEXTAUTH_SECRET); the same on every replica. */
  GANTRY_OBJECT_URL_SECRET: optional(z.string().min(32, "GANTRY_OBJECT_URL_SECRET must be at least 32 characters")),
  /**
   * Remote actions for air-gapped installs: a directory of `owner/repo/ref/` folders (an `INDEX.tsv` of
   * action, tag, commit at its root gives the commits), tried before GitHub (docs/actions.md).
   */
  GANTRY_ACTIONS_DIR: optional(z.string().min(1)),
  /** A Gitea or Forgejo base URL mirroring actions, e.g. https://git.example.com; tried after GitHub (docs/actions.md). */
  GANTRY_ACTIONS_MIRROR_URL: optional(url("GANTRY_ACTIONS_MIRROR_URL", "https://git.example.com")),
  /** Per-job log cap in bytes; past it the archived log ends with a truncation marker. */
  GANTRY_LOG_MAX_JOB_BYTES: z.coerce.number().int().min(1024).default(64 * 1024 * 1024),
  /** How long a log batch that arrived before its predecessor waits for it before it is asked to come again (ms). */
  GANTRY_LOG_ORDER_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(10_000),
  /** Entries kept in each job's live log stream in Redis (XADD MAXLEN ~). */
  GANTRY_LOG_STREAM_MAXLEN: z.coerce.number().int().min(100).default(10_000),
  /** Seconds a job's live log stream stays in Redis after its last entry; readers use the archive after that. */
  GANTRY_LOG_STREAM_TTL_SECONDS: z.coerce.number().int().min(60).default(3_600),
  /**
   * `true` when the web server sits behind a reverse proxy that appends the client's address to X-Forwarded-For:
   * sign-in rate limits and the audit log then use that last entry. Otherwise the socket's address (server.ts).
   */
  GANTRY_TRUST_PROXY: z.enum(["true", "false", "1", "0"]).default("false").transform((value) => value === "true" || value === "1"),
  /**
   * `true` lets a tenant's admins set its priority class (the fair scheduler's weight, Tenant.schedulingWeight) on
   * the settings page; otherwise it is the operator's (SQL or the seed) and shown read-only.
   */
  GANTRY_TENANT_ADMINS_SET_PRIORITY: z.enum(["true", "false", "1", "0"]).default("false").transform((value) => value === "true" || value === "1"),
  /** Failed password sign-ins allowed per account and client address in GANTRY_SIGNIN_WINDOW_SECONDS. */
  GANTRY_SIGNIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  /** Failed password sign-ins allowed per client address (any account) in the window. */
  GANTRY_SIGNIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).default(50),
  /** The sign-in rate limits' window (seconds). */
  GANTRY_SIGNIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(15 * 60),
  /** GitHub OAuth app for "Sign in with GitHub"; the provider is enabled only when both are set. */
  GITHUB_CLIENT_ID: optional(z.string()),
  /** The OAuth app's client secret (see GITHUB_CLIENT_ID). */
  GITHUB_CLIENT_SECRET: optional(z.string()),
});

const blank = (value: unknown) => typeof value !== "string" || value.trim() === "";

export const webEnvSchema = z
  .preprocess((source) => {
    if (typeof source !== "object" || source === null) return source;
    const env: Record<string, unknown> = { ...source };
    if (blank(env.NEXTAUTH_URL) && !blank(env.AUTH_URL)) env.NEXTAUTH_URL = env.AUTH_URL;
    return env;
  }, fields)
  .refine((env) => Boolean(env.GITHUB_CLIENT_ID) === Boolean(env.GITHUB_CLIENT_SECRET), {
    path: ["GITHUB_CLIENT_SECRET"],
    message:
      "GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET go together: set both to enable GitHub sign-in, or neither",
    // Report it alongside the other problems, not only once they are fixed.
    when: () => true,
  })
  .transform(({ NEXTAUTH_URL, GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, ...rest }) => {
    const appUrl = new URL(NEXTAUTH_URL).origin;
    return {
      ...rest,
      /** Where archived logs live: GANTRY_STORAGE_DIR, else `<GANTRY_STATE_DIR or .gantry>/storage`, absolute. */
      // A runtime directory, not a build input: keep Turbopack from tracing the whole project through it.
      storageDir: path.resolve(/*turbopackIgnore: true*/ rest.GANTRY_STORAGE_DIR ?? path.join(rest.GANTRY_STATE_DIR ?? ".gantry", "storage")),
      NEXTAUTH_URL,
      /** NEXTAUTH_URL (or AUTH_URL) as an origin. */
      appUrl,
      /** Where runners and webhooks should call: GANTRY_PUBLIC_URL, else the app URL. */
      publicUrl: rest.GANTRY_PUBLIC_URL ? new URL(rest.GANTRY_PUBLIC_URL).origin : appUrl,
      github:
        GITHUB_CLIENT_ID && GITHUB_CLIENT_SECRET
          ? { clientId: GITHUB_CLIENT_ID, clientSecret: GITHUB_CLIENT_SECRET }
          : null,
    };
  });

export type WebEnv = z.output<typeof webEnvSchema> & {
  /** The GitHub App's settings (its credentials may come from the App file later: GithubAppSource). */
  githubApp: GithubConfig;
};

/** One line per missing or invalid variable, each naming the variable and how to fix it. */
export class WebEnvError extends Error {
  override name = "WebEnvError";
  constructor(readonly problems: string[]) {
    super(`Invalid environment for apps/web:\n${problems.map((line) => `  - ${line}`).join("\n")}`);
  }
}

export function parseWebEnv(source: Record<string, string | undefined>): WebEnv {
  const result = webEnvSchema.safeParse(source);
  // A half-configured GitHub App (missing key, unreadable .pem, …) is reported with everything else.
  const github = githubEnvIssues(source).map((issue) => ({ path: [issue.variable], message: issue.message }));
  if (result.success && github.length === 0) return { ...result.data, githubApp: githubConfigFromEnv(result.data) };
  const problems = [...(result.success ? [] : result.error.issues), ...github].map((issue) => {
    const name = String(issue.path[0] ?? "environment");
    return issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`;
  });
  throw new WebEnvError([...new Set(problems)]);
}

let cached: WebEnv | undefined;

/** Forget the parsed environment (tests that change it; closeServices). */
export function resetWebEnv(): void {
  cached = undefined;
}

/** The process environment, parsed once on first use. */
export function webEnv(): WebEnv {
  if (!cached) {
    cached = parseWebEnv(process.env);
    // next-auth v4 reads NEXTAUTH_URL itself; when only AUTH_URL is set, hand it over.
    process.env.NEXTAUTH_URL ??= cached.NEXTAUTH_URL;
  }
  return cached;
}

/**
 * Called once when the server starts (src/instrumentation.ts): a bad environment stops `next start` with one
 * line per problem instead of failing on the first request with a stack trace.
 */
export function checkWebEnvAtStartup(log: (line: string) => void = console.error): boolean {
  try {
    webEnv();
    return true;
  } catch (error) {
    if (!(error instanceof WebEnvError)) throw error;
    log(`[web] ${error.message}`);
    return false;
  }
}
