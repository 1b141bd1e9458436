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

/** `schedule:<repositoryId>:<workflowPath>:<cron>:<tick time ISO>`: one run per firing, however often it fires. */
export function scheduledRunKey(repositoryId: string, entry: ScheduleEntry, tickAt: Date): string {
  return `schedule:${repositoryId}:${entry.workflowPath}:${entry.cron}:${tickAt.toISOString()}`;
}

const ISO_LENGTH = "2026-01-01T00:00:00.000Z".length;

/** The cron a scheduled run was fired by (`github.event.schedule`), read back from its idempotency key. */
export function cronOfScheduledRun(idempotencyKey: string): string | undefined {
  if (!idempotencyKey.startsWith("schedule:") || idempotencyKey.length <= ISO_LENGTH + 1) return undefined;
  const withoutTick = idempotencyKey.slice(0, -(ISO_LENGTH + 1));
  // A cron has no colon; the workflow path before it may.
  const cron = withoutTick.slice(withoutTick.lastIndexOf(":") + 1);
  return cron === "" ? undefined : cron;
}
