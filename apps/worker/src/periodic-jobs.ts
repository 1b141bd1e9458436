// The worker's periodic work, as BullMQ job schedulers (one tick per interval across every worker replica). They
// live in Redis, so a flush deletes them: start-up and the rebuild after Redis lost its data (redis-loss/) upsert
// this one list.
import { jobCatalog, type JobName, type Queues } from "@gantry/jobs";
import type { WorkerEnv } from "./env";

export interface PeriodicJob {
  name: JobName;
  /** Milliseconds between ticks; null: this worker's configuration has nothing to tick, so the scheduler goes. */
  everyMs: number | null;
}

export function periodicJobs(env: WorkerEnv): PeriodicJob[] {
  return [
    { name: "reap-leases", everyMs: env.GANTRY_REAP_INTERVAL_MS },
    { name: "sweep-deliveries", everyMs: 15_000 },
    { name: "reconcile-queues", everyMs: env.GANTRY_RECONCILE_INTERVAL_MS },
    // Log search: ended attempts whose index-attempt-log job never came (lost, timed out, cancelled).
    { name: "index-logs-catch-up", everyMs: env.GANTRY_STORAGE_DIR ? env.GANTRY_LOG_INDEX_CATCH_UP_MS : null },
    { name: "reconcile-git-refs", everyMs: env.GANTRY_GIT_REF_RECONCILE_INTERVAL_MS },
    // Only with GANTRY_STORAGE_DIR named: a sweep must never guess which directory is this database's store.
    { name: "storage-retention", everyMs: env.GANTRY_STORAGE_DIR ? env.GANTRY_RETENTION_INTERVAL_MS : null },
    // Only while an App is (or may be: the manifest flow's App file) configured.
    { name: "reconcile-github", everyMs: env.githubApp.variables !== null || env.githubApp.appFile !== null ? env.GANTRY_GITHUB_RECONCILE_INTERVAL_MS : null },
  ];
}

/** Creates or updates each job's scheduler (keyed by the job's name, so repeating this changes nothing). */
export async function upsertPeriodicJobs(queues: Pick<Queues, "queue">, jobs: readonly PeriodicJob[]): Promise<void> {
  for (const job of jobs) {
    const queue = queues.queue(jobCatalog[job.name].queue);
    if (job.everyMs === null) await queue.removeJobScheduler(job.name);
    else await queue.upsertJobScheduler(job.name, { every: job.everyMs }, { name: job.name, data: {} });
  }
}
