import { getServices } from "../services";
import { DirectoryObjectStore } from "@gantry/storage";
import type { LogIngestDeps } from "./logs";

/** The logs route's dependencies from the process-wide services and env. */
export function logIngestDeps(): LogIngestDeps {
  const services = getServices();
  const { database, redis, env } = services;
  return {
    database,
    redis,
    store: new DirectoryObjectStore(env.storageDir),
    prefix: env.GANTRY_QUEUE_PREFIX,
    maxJobBytes: env.GANTRY_LOG_MAX_JOB_BYTES,
    orderWaitMs: env.GANTRY_LOG_ORDER_WAIT_MS,
    streamMaxLen: env.GANTRY_LOG_STREAM_MAXLEN,
    streamTtlSeconds: env.GANTRY_LOG_STREAM_TTL_SECONDS,
    maskers: services.attemptMaskers(),
  };
}
