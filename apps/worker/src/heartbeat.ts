import os from "node:os";
import type { Redis } from "ioredis";
import { WORKER_HEARTBEAT_TTL_SECONDS, workerHeartbeatKey, type WorkerHeartbeat } from "@gantry/db";

/** Announces this worker in Redis every few seconds; the key expires on its own when the worker dies. */
export function startHeartbeat(redis: Redis, workerId: string, queues: string[]): () => Promise<void> {
  const beat: WorkerHeartbeat = {
    id: workerId,
    pid: process.pid,
    hostname: os.hostname(),
    version: process.env.npm_package_version ?? "dev",
    startedAt: new Date().toISOString(),
    queues,
  };
  const key = workerHeartbeatKey(workerId);
  const send = () => redis.set(key, JSON.stringify(beat), "EX", WORKER_HEARTBEAT_TTL_SECONDS).catch(() => undefined);
  void send();
  const timer = setInterval(send, (WORKER_HEARTBEAT_TTL_SECONDS * 1000) / 3);
  return async () => {
    clearInterval(timer);
    await redis.del(key).catch(() => undefined);
  };
}
