import { z } from "zod";
import { tenantInput } from "../../trpc";

export const listRunsInput = tenantInput.extend({
  limit: z.number().int().min(1).max(100).default(25),
});
export type ListRunsInput = z.infer<typeof listRunsInput>;
