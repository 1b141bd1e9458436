// The process-wide handles the web app works with, opened on first use (never at import time) and kept on
// globalThis so that dev-mode module reloads do not open a new pool per edit.
import { openDatabase, type Database } from "@gantry/db";
import { GithubAppSource, InstallationTokens, type GithubAppCredentials, type GithubClient } from "@gantry/github";
import { Queues } from "@gantry/jobs";
import { FairScheduler, ReadyWaiter } from "@gantry/scheduler";
import { Redis } from "ioredis";
import { resetWebEnv, webEnv, type WebEnv } from "../env";
import { createDeliveryWriter, type DeliveryWriter } from "./github/delivery-writer";
import { AttemptMaskers } from "@gantry/engine";
import { RunEventHub } from "./run-events/run-event-hub";

export interface Services {
  env: WebEnv;
  database: Database;
  redis: Redis;
  /** Producer for the worker's queues (@gantry/jobs). */
  queues: Queues;
  /** The fair scheduler the runner API claims from (@gantry/scheduler), on a connection of its own. */
  scheduler: FairScheduler;
  /** Wakes the runner claims this process holds open when their pool gets work: one subscriber connection for all of them. */
  readyWaiter: ReadyWaiter;
  /** The GitHub App now (variables, or the App file the manifest flow writes while we run); null: none. */
  githubApp: GithubAppSource;
  /** The App's API client (installation tokens cached per App); null: no App configured. */
  githubClient(): GithubClient | null;
  /** Where verified webhook deliveries are stored and queued, group-committed (github/delivery-writer.ts). */
  githubDeliveries(): DeliveryWriter;
  /** GANTRY_MASTER_KEY, decoded; null when not set (no secrets can be opened). */
  masterKey: Buffer | null;
  /** Per-attempt maskers for what runners send (runner-api/job-secrets.ts). */
  attemptMaskers(): AttemptMaskers;
  /** The process's one listener for run changes (live run views): one subscriber connection, opened on first use. */
  runEvents(): RunEventHub;
  /** The hub if runEvents() opened it (closeServices closes it), else undefined. */
  openedRunEvents(): RunEventHub | undefined;
  /** The queues' and the scheduler's connections: closing them is ours (BullMQ leaves a connection it was given open). */
  ownedConnections: Redis[];
}

const holder = globalThis as typeof globalThis & { __gantryWebServices?: Services };

const lastRedisError = new WeakMap<Redis, Error>();

/** The last connection error a client saw: more useful than "max retries reached" when Redis is down. */
export function lastRedisConnectionError(redis: Redis): Error | undefined {
  return redis.status === "ready" ? undefined : lastRedisError.get(redis);
}

export function openRedis(url: string): Redis {
  const redis = new Redis(url, {
    // Fail a command quickly when Redis is down instead of queueing it forever: the health page must answer.
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  // Handled here (so ioredis does not print "Unhandled error event"); the health report shows it.
  redis.on("error", (error: Error) => lastRedisError.set(redis, error));
  return redis;
}

/** One client per App (so tokens are reused), rebuilt only when the App itself changes (the manifest flow). */
function cachedGithubClient(source: GithubAppSource): () => GithubClient | null {
  let built: { app: GithubAppCredentials; client: GithubClient } | undefined;
  return () => {
    const app = source.current();
    if (!app) return null;
    if (built?.app !== app) built = { app, client: { apiUrl: app.apiUrl, tokens: new InstallationTokens({ appId: app.appId, privateKey: app.privateKey, apiUrl: app.apiUrl }) } };
    return built.client;
  };
}

export function getServices(): Services {
  if (!holder.__gantryWebServices) {
    const env = webEnv();
    const githubApp = new GithubAppSource(env.githubApp);
    const database = openDatabase(env.DATABASE_URL);
    const queueConnection = openRedis(env.REDIS_URL);
    const schedulerConnection = openRedis(env.REDIS_URL);
    const queues = new Queues(queueConnection, env.GANTRY_QUEUE_PREFIX);
    let deliveries: DeliveryWriter | undefined;
    let maskers: AttemptMaskers | undefined;
    let runEvents: RunEventHub | undefined;
    const masterKey = env.GANTRY_MASTER_KEY ? Buffer.from(env.GANTRY_MASTER_KEY, "base64") : null;
    holder.__gantryWebServices = {
      env,
      database,
      redis: openRedis(env.REDIS_URL),
      queues,
      scheduler: new FairScheduler({ redis: schedulerConnection, prefix: env.GANTRY_QUEUE_PREFIX }),
      // Its connection connects on the first claim that waits (openRedis is lazy); close() quits it.
      readyWaiter: new ReadyWaiter({ subscriber: openRedis(env.REDIS_URL), prefix: env.GANTRY_QUEUE_PREFIX }),
      githubApp,
      githubClient: cachedGithubClient(githubApp),
      githubDeliveries: () => (deliveries ??= createDeliveryWriter(database, queues)),
      masterKey,
      attemptMaskers: () => (maskers ??= new AttemptMaskers(database, masterKey)),
      runEvents: () => (runEvents ??= new RunEventHub({ subscriber: openRedis(env.REDIS_URL), prefix: env.GANTRY_QUEUE_PREFIX, database })),
      openedRunEvents: () => runEvents,
      ownedConnections: [queueConnection, schedulerConnection],
    };
  }
  return holder.__gantryWebServices;
}

/** For tests and shutdown: closes the pools; the next getServices() re-reads the env and opens new ones. */
export async function closeServices(): Promise<void> {
  const services = holder.__gantryWebServices;
  holder.__gantryWebServices = undefined;
  resetWebEnv();
  if (!services) return;
  services.redis.disconnect();
  await services.readyWaiter.close();
  await services.openedRunEvents()?.close();
  await services.queues.close();
  for (const connection of services.ownedConnections) connection.disconnect();
  await services.database.close();
}
