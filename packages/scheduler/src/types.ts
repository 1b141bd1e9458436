import { z } from "zod";
import { idSchema } from "./keys";
import { priorityClassSchema } from "./priority";

const timeSchema = z.number().int().nonnegative();

/** A job ready to run on a pool (from Postgres: a QUEUED job whose needs are met). */
export const readyEntrySchema = z.object({
  poolId: idSchema,
  tenantId: idSchema,
  jobId: idSchema,
  priorityClass: priorityClassSchema,
  enqueuedAtMs: timeSchema,
});
export type ReadyEntry = z.infer<typeof readyEntrySchema>;

/** A job claimed and not yet released (from Postgres: an attempt holding a lease). */
export const claimedEntrySchema = z.object({ tenantId: idSchema, jobId: idSchema, claimedAtMs: timeSchema });
export type ClaimedEntry = z.infer<typeof claimedEntrySchema>;

export type Claim = {
  jobId: string;
  tenantId: string;
  priorityClass: z.infer<typeof priorityClassSchema>;
  enqueuedAtMs: number;
  /** nowMs − enqueuedAtMs, never negative. */
  waitedMs: number;
};

export type RemoveOutcome = "removed" | "claimed" | "absent";
