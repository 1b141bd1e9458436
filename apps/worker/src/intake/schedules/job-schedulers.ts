// The BullMQ side of schedules: one job scheduler per WorkflowSchedule row on the schedules queue, which holds
// nothing else. Postgres is the truth (DESIGN.md invariant 2): rebuildJobSchedulers makes Redis match the rows.
import type { Database } from "@gantry/db";
import { jobCatalog, type JobPayload, type Queues } from "@gantry/jobs";

export interface ScheduleRow {
  repositoryId: string;
  workflowPath: string;
  cron: string;
  schedulerKey: string;
}

const tick = jobCatalog["schedule-tick"];

/** Creates or updates the row's job scheduler: fires at each UTC time the cron names (GitHub schedules are UTC). */
export async function registerJobScheduler(queues: Queues, row: ScheduleRow): Promise<void> {
  const data: JobPayload<"schedule-tick"> = { repositoryId: row.repositoryId, workflowPath: row.workflowPath, cron: row.cron };
  await queues.queue(tick.queue).upsertJobScheduler(
    row.schedulerKey,
    { pattern: row.cron, tz: "UTC" },
    {
      name: "schedule-tick",
      data: tick.payload.parse(data),
      opts: {
        attempts: tick.attempts,
        backoff: { type: "exponential", delay: tick.backoffMs },
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    },
  );
}

export async function removeJobScheduler(queues: Queues, schedulerKey: string): Promise<void> {
  await queues.queue(tick.queue).removeJobScheduler(schedulerKey);
}

/** Every job scheduler on the schedules queue: key → cron pattern. */
export async function listJobSchedulers(queues: Queues): Promise<Map<string, string | undefined>> {
  const schedulers = await queues.queue(tick.queue).getJobSchedulers(0, -1, true);
  return new Map(schedulers.map((scheduler) => [scheduler.key, scheduler.pattern]));
}

/**
 * Makes Redis match Postgres: registers each row whose scheduler is missing or has another pattern, and
 * removes schedulers no row backs. Runs when a worker starts and on every queue reconciliation.
 */
export async function rebuildJobSchedulers(db: Database, queues: Queues): Promise<{ registered: number; removed: number }> {
  const rows = await db.system("schedules: rebuild BullMQ job schedulers from Postgres").workflowSchedule.findMany({
    select: { repositoryId: true, workflowPath: true, cron: true, schedulerKey: true },
  });
  const existing = await listJobSchedulers(queues);
  let registered = 0;
  for (const row of rows) {
    if (existing.has(row.schedulerKey) && existing.get(row.schedulerKey) === row.cron) continue;
    await registerJobScheduler(queues, row);
    registered += 1;
  }
  const backed = new Set(rows.map((row) => row.schedulerKey));
  let removed = 0;
  for (const key of existing.keys()) {
    if (backed.has(key)) continue;
    await removeJobScheduler(queues, key);
    removed += 1;
  }
  return { registered, removed };
}
