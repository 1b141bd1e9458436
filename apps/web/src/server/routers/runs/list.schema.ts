import { RUN_STATUSES } from "@gantry/db";
import { z } from "zod";
import { tenantInput } from "../../trpc";

export const listRunsInput = tenantInput.extend({
  limit: z.number().int().min(1).max(100).default(25),
  /** Only this repository's runs (its full name, `owner/name`). */
  repository: z.string().min(1).max(200).optional(),
  /** Only runs in this status. */
  status: z.enum(RUN_STATUSES).optional(),
});
export type ListRunsInput = z.infer<typeof listRunsInput>;
