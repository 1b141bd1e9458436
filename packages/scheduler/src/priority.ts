import { z } from "zod";

export const priorityClasses = ["deploy", "pull_request", "push", "schedule"] as const;
export const priorityClassSchema = z.enum(priorityClasses);
export type PriorityClass = z.infer<typeof priorityClassSchema>;

/**
 * Aging: each class below `deploy` counts as enqueued this much later. A job's effective priority is
 * `waited − rank × step`, so a lower class overtakes every higher-class job enqueued more than `rank × step` after it:
 * a schedule job waits at most 3 steps behind a constant stream of deploys (plus whatever was already ahead of it).
 */
export const DEFAULT_AGING_STEP_MS = 30_000;

export function classRank(priorityClass: PriorityClass): number {
  return priorityClasses.indexOf(priorityClass);
}

/**
 * The static score of a ready job in its tenant's queue (lowest first). Because aging is linear in wait time, the
 * order of two jobs never changes as time passes, so a sorted set with a fixed score is exact.
 */
export function readyScore(priorityClass: PriorityClass, enqueuedAtMs: number, agingStepMs: number): number {
  return enqueuedAtMs + classRank(priorityClass) * agingStepMs;
}
