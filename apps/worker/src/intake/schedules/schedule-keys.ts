// The names a schedule goes by: its row id and BullMQ job scheduler key (both from repository, file and cron,
// so a re-sync finds the same ones), and the idempotency key of the run one firing makes.
import { deterministicId } from "@gantry/db";

/** One `schedule:` cron entry of one workflow file. */
export interface ScheduleEntry {
  workflowPath: string;
  cron: string;
}

export const scheduleRowId = (repositoryId: string, entry: ScheduleEntry) => deterministicId("wsc", repositoryId, entry.workflowPath, entry.cron);

export const schedulerKeyOf = (repositoryId: string, entry: ScheduleEntry) => `schedule-${scheduleRowId(repositoryId, entry)}`;

// The run key and its cron live in @gantry/jobs: the web's claim reads the cron back too (github.event.schedule).
export { scheduledRunKey, cronOfScheduledRun } from "@gantry/jobs";
