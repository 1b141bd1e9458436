// Starts the worker's queues, schedulers and heartbeat; returns a stop function that drains them.
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { openDatabase } from "@gantry/db";
import type { WorkerEnv } from "./env";
import { startHeartbeat } from "./heartbeat";
import { jobCatalog, parsePayload } from "./job-catalog";
import { reapLapsedLeases } from "./jobs/reap-leases";

export interface RunningWorker {
  stop(): Promise<void>;
}

export async function startWorker(env: WorkerEnv, log: (line: string) => void = console.log): Promise<RunningWorker> {
  const db = openDatabase(env.DATABASE_URL);
  // BullMQ needs maxRetriesPerRequest: null on the connections its workers block on.
  const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const reap = jobCatalog["reap-leases"];
  const maintenance = new Queue(reap.queue, { connection, prefix: env.GANTRY_QUEUE_PREFIX });
  // A job scheduler, not a timer: one tick per interval across every worker replica, and it survives restarts.
  await maintenance.upsertJobScheduler("reap-leases", { every: env.GANTRY_REAP_INTERVAL_MS }, { name: "reap-leases", data: {} });
  const worker = new Worker(
    reap.queue,
    async (job) => {
      if (job.name !== "reap-leases") throw new Error(`unknown job ${job.name} on ${reap.queue}`);
      const payload = parsePayload("reap-leases", job.data);
      const result = await reapLapsedLeases(db, payload.limit);
      if (result.lost > 0) log(`reaper: ${result.lost} lost, ${result.requeued} requeued, ${result.failed} failed`);
      return result;
    },
    { connection, prefix: env.GANTRY_QUEUE_PREFIX, lockDuration: reap.lockDurationMs, concurrency: 1 },
  );
  worker.on("failed", (job, error) => log(`job ${job?.name ?? "?"} failed: ${error.message}`));
  const stopHeartbeat = startHeartbeat(connection, env.GANTRY_WORKER_ID, [reap.queue]);
  log(`worker ${env.GANTRY_WORKER_ID} ready (queues: ${reap.queue})`);
  return {
    async stop() {
      await worker.close();
      await maintenance.close();
      await stopHeartbeat();
      connection.disconnect();
      await db.close();
    },
  };
}
