import type { PriorityClass } from "@gantry/scheduler";
import { priorityClasses } from "@gantry/scheduler";

/** The scheduling class of a job: deployments first, then pull requests, pushes, and schedules last. */
export function priorityClassOf(event: string, hasEnvironment: boolean): PriorityClass {
  if (hasEnvironment) return "deploy";
  if (event === "pull_request" || event === "pull_request_target") return "pull_request";
  if (event === "schedule") return "schedule";
  return "push";
}

export const rankOf = (priorityClass: PriorityClass): number => priorityClasses.indexOf(priorityClass);
export const classOfRank = (rank: number): PriorityClass => priorityClasses[Math.min(Math.max(rank, 0), priorityClasses.length - 1)] ?? "push";
