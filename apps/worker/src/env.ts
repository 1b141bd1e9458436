import os from "node:os";
import { z } from "zod";
import { dbEnvSchema } from "@gantry/db";
import { githubConfigFromEnv, githubEnvIssues, githubEnvSchema, type GithubConfig } from "@gantry/github";

/** The worker's env (STYLE.md practice 3): parsed by parseWorkerEnv, never at import time. */
export const workerEnvSchema = dbEnvSchema.extend({
  /** Redis for queues, leases and heartbeats, e.g. redis://127.0.0.1:6379 */
  REDIS_URL: z
    .string({ error: "REDIS_URL is not set: point it at Redis, e.g. redis://127.0.0.1:6379" })
    .url("REDIS_URL is not a URL: expected redis://host:port"),
  /** A stable name for this worker process in health and logs. */
  GANTRY_WORKER_ID: z.string().min(1).default(`${os.hostname()}-${process.pid}`),
  /** BullMQ key prefix; tests give each run its own so that runs never collide. */
  GANTRY_QUEUE_PREFIX: z.string().min(1).default("gantry"),
  /** Where mirrors of remote git sources are kept (default: the OS temp folder). */
  GANTRY_GIT_CACHE_DIR: z.string().min(1).optional(),
  /** How often the ready queues are rebuilt from Postgres (the safety net under every enqueue and release). */
  GANTRY_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  /** How often the refs of plain-git repositories are compared with the pushes intake saw (missed notifications). */
  GANTRY_GIT_REF_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  /**
   * How often each worker checks that Redis still holds its epoch marker (a plain SET NX, not a BullMQ job: a flush
   * would delete that too). A missing marker means Redis lost its data: the worker rebuilds it from Postgres.
   */
  GANTRY_REDIS_WATCH_INTERVAL_MS: z.coerce.number().int().min(100).default(2000),
  /** How often the lease reaper runs, in milliseconds. */
  GANTRY_REAP_INTERVAL_MS: z.coerce.number().int().min(100).default(5000),
  /** The GitHub App (GANTRY_GITHUB_*, each commented in @gantry/github's env.ts; docs/github.md). None set: no App. */
  ...githubEnvSchema.shape,
  /** 32 random bytes, base64: opens the GitHub App file the manifest flow sealed (GANTRY_GITHUB_APP_FILE). */
  GANTRY_MASTER_KEY: z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z.string().refine((value) => Buffer.from(value, "base64").length === 32, "GANTRY_MASTER_KEY must be 32 random bytes, base64 (openssl rand -base64 32)").optional(),
  ),
  /** How often missed GitHub deliveries are looked for (reconcile-github), in milliseconds; only with an App. */
  GANTRY_GITHUB_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1_000).default(600_000),
  /** How far back reconcile-github looks when it has no mark of its last success (first run, Redis lost). */
  GANTRY_GITHUB_RECONCILE_LOOKBACK_MS: z.coerce.number().int().min(60_000).default(3_600_000),
  /** Where browsers reach the web app (as in apps/web), for the "Details" link of GitHub check runs; optional. */
  GANTRY_PUBLIC_URL: z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z.url("GANTRY_PUBLIC_URL is not a URL: expected something like https://ci.example.com").optional(),
  ),
  /** The object store directory the web app writes (its GANTRY_STORAGE_DIR); unset: no storage retention. */
  GANTRY_STORAGE_DIR: z.string().min(1).optional(),
  /** Log search: how often ended attempts whose log is not indexed yet are looked for (index-logs-catch-up, ms). */
  GANTRY_LOG_INDEX_CATCH_UP_MS: z.coerce.number().int().min(1000).default(60_000),
  /** How often expired artifacts, evicted caches and unnamed objects are deleted (storage-retention). */
  GANTRY_RETENTION_INTERVAL_MS: z.coerce.number().int().min(1000).default(3_600_000),
  /** Days after its last restore or save that a cache entry is evicted (GitHub: 7). */
  GANTRY_CACHE_UNUSED_DAYS: z.coerce.number().positive().default(7),
  /** Cache bytes per repository above which the least recently used entries go (GitHub: 10 GiB). */
  GANTRY_CACHE_MAX_BYTES_PER_REPOSITORY: z.coerce.number().int().min(0).default(10 * 1024 ** 3),
  /** Check-run reports sent to GitHub per second at most, across every worker (BullMQ limiter). */
  GANTRY_GITHUB_CHECKS_PER_SECOND: z.coerce.number().int().min(1).default(10),
});

export type WorkerEnv = z.infer<typeof workerEnvSchema> & {
  /** The GitHub App's settings (its credentials may come from the App file later: GithubAppSource). */
  githubApp: GithubConfig;
};

/** Throws a ZodError naming every problem, the GitHub App's half-configurations included. */
export function parseWorkerEnv(source: Record<string, string | undefined>): WorkerEnv {
  const result = workerEnvSchema.safeParse(source);
  const github = githubEnvIssues(source).map((issue): z.core.$ZodIssue => ({ code: "custom", path: [issue.variable], message: issue.message, input: source[issue.variable] }));
  if (result.success && github.length === 0) return { ...result.data, githubApp: githubConfigFromEnv(result.data) };
  throw new z.ZodError([...(result.success ? [] : result.error.issues), ...github]);
}
