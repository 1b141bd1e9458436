// Which crons a repository's workflows declare at one commit: every cron of every valid workflow with a
// `schedule` trigger. An invalid workflow schedules nothing (its push already shows it as a FAILED run).
import type { WorkflowPlan } from "@gantry/workflow-schema";
import type { ScheduleEntry } from "./schedule-keys";

export function cronsOf(plan: WorkflowPlan): string[] {
  const crons = plan.triggers.filter((trigger) => trigger.event === "schedule").flatMap((trigger) => trigger.crons ?? []);
  return [...new Set(crons)];
}

export function schedulesOf(compiled: { file: string; plan?: WorkflowPlan | undefined }[]): ScheduleEntry[] {
  return compiled.flatMap(({ file, plan }) => (plan ? cronsOf(plan).map((cron) => ({ workflowPath: file, cron })) : []));
}
