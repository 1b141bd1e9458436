// What GET /api/health and the /health page report: Postgres and Redis round-trips, live workers (their
// Redis heartbeats) and runners (their last ping). Each probe has a deadline so that a dead dependency makes
// the report say so quickly instead of hanging the page.
import { WORKER_HEARTBEAT_PATTERN, type Database } from "@gantry/db";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { GithubAppSource } from "@gantry/github";
import type { WebEnv } from "../env";
import { tenantsWithoutAdmin, type TenantWithoutAdmin } from "./github/admin-notices";
import { githubSignInStatus, type GithubSignInStatus } from "./github/sign-in";
import { isRunnerOnline } from "./runners";
import { lastRedisConnectionError } from "./services";

export const PROBE_TIMEOUT_MS = 2_000;

export interface Probe {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface WorkerStatus {
  id: string;
  pid: number;
  hostname: string;
  version: string;
  startedAt: string;
  queues: string[];
  /** Seconds until the heartbeat expires (the worker refreshes it well before). */
  ttlSeconds: number;
}

export interface RunnerStatus {
  name: string;
  pool: string;
  status: string;
  version: string;
  lastSeenAt: string;
  online: boolean;
}

export interface HealthReport {
  status: "ok" | "degraded";
  checkedAt: string;
  postgres: Probe;
  redis: Probe;
  workers: WorkerStatus[];
  runners: RunnerStatus[];
  /** Whether users can sign in with GitHub (the App's OAuth client), and if not what to set. */
  githubSignIn?: GithubSignInStatus;
  /** Tenants nobody administers, each with why (an installer who has not signed in with GitHub yet, …). */
  tenantsWithoutAdmin: TenantWithoutAdmin[];
}

// Workers write this shape (WorkerHeartbeat in @gantry/db); Redis is an input like any other, so parse it.
const heartbeatSchema = z.object({
  id: z.string(),
  pid: z.number().int(),
  hostname: z.string(),
  version: z.string(),
  startedAt: z.string(),
  queues: z.array(z.string()),
});

/** One readable line: Prisma wraps driver errors as "Invalid `prisma.$queryRaw()` invocation: … Message: `…`". */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /Message: `([^`]+)`/.exec(message)?.[1];
  if (quoted) return quoted;
  const lines = message
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("Invalid `prisma"));
  return lines[0] ?? "unknown error";
}

async function withDeadline<T>(what: string, work: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function probe(what: string, work: () => Promise<unknown>, timeoutMs: number): Promise<Probe> {
  const started = performance.now();
  try {
    await withDeadline(what, work, timeoutMs);
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: errorMessage(error) };
  }
}

export async function listWorkers(redis: Redis): Promise<WorkerStatus[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", WORKER_HEARTBEAT_PATTERN, "COUNT", 200);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== "0");
  if (keys.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.get(key).ttl(key);
  const replies = (await pipeline.exec()) ?? [];
  const workers: WorkerStatus[] = [];
  keys.forEach((_, index) => {
    const raw = replies[index * 2]?.[1];
    const ttl = replies[index * 2 + 1]?.[1];
    if (typeof raw !== "string") return; // expired between SCAN and GET
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return;
    }
    const parsed = heartbeatSchema.safeParse(json);
    if (parsed.success) workers.push({ ...parsed.data, ttlSeconds: typeof ttl === "number" ? ttl : -1 });
  });
  return workers.sort((a, b) => a.id.localeCompare(b.id));
}

export async function listRunners(database: Database, now: Date): Promise<RunnerStatus[]> {
  const runners = await database.system("health: every runner's last ping").runner.findMany({
    select: { name: true, status: true, version: true, lastSeenAt: true, pool: { select: { name: true } } },
    orderBy: [{ lastSeenAt: "desc" }],
    take: 200,
  });
  return runners.map((runner) => ({
    name: runner.name,
    pool: runner.pool.name,
    status: runner.status,
    version: runner.version,
    lastSeenAt: runner.lastSeenAt.toISOString(),
    online: isRunnerOnline(runner.lastSeenAt, now),
  }));
}

export async function checkHealth(
  deps: { database: Database; redis: Redis; env?: Pick<WebEnv, "github" | "githubApp">; githubApp?: GithubAppSource },
  options: { now?: Date; timeoutMs?: number } = {},
): Promise<HealthReport> {
  const now = options.now ?? new Date();
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const [postgres, redis] = await Promise.all([
    probe("Postgres", () => deps.database.ping(), timeoutMs),
    probe(
      "Redis",
      () =>
        deps.redis.ping().catch((error: unknown) => {
          throw lastRedisConnectionError(deps.redis) ?? error;
        }),
      timeoutMs,
    ),
  ]);
  const githubSignIn = deps.env ? githubSignInStatus(deps.env, deps.githubApp?.current() ?? null) : undefined;
  const [workers, runners, withoutAdmin] = await Promise.all([
    redis.ok
      ? withDeadline("Redis", () => listWorkers(deps.redis), timeoutMs).catch(() => [])
      : Promise.resolve([]),
    postgres.ok
      ? withDeadline("Postgres", () => listRunners(deps.database, now), timeoutMs).catch(() => [])
      : Promise.resolve([]),
    postgres.ok && githubSignIn
      ? withDeadline("Postgres", () => tenantsWithoutAdmin(deps.database, githubSignIn), timeoutMs).catch(() => [])
      : Promise.resolve([]),
  ]);
  return {
    status: postgres.ok && redis.ok ? "ok" : "degraded",
    checkedAt: now.toISOString(),
    postgres,
    redis,
    workers,
    runners,
    ...(githubSignIn ? { githubSignIn } : {}),
    tenantsWithoutAdmin: withoutAdmin,
  };
}
