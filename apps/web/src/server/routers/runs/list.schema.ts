import { z } from "zod";
import { tenantInput } from "../../trpc";
import { runFilterInput } from "./run-filter.schema";

export const listRunsInput = tenantInput
  .extend({
    limit: z.number().int().min(1).max(100).default(25),
    /** The `nextCursor` of the previous page; absent: the newest runs. */
    cursor: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, "a cursor is the nextCursor of an earlier page").optional(),
  })
  .extend(runFilterInput.shape);
export type ListRunsInput = z.infer<typeof listRunsInput>;
