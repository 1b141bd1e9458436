import os from "node:os";
import { z } from "zod";
import { dbEnvSchema } from "@gantry/db";

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
  /** How often the lease reaper runs, in milliseconds. */
  GANTRY_REAP_INTERVAL_MS: z.coerce.number().int().min(100).default(5000),
});

export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export function parseWorkerEnv(source: Record<string, string | undefined>): WorkerEnv {
  return workerEnvSchema.parse(source);
}
