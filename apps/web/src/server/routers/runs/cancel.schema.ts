import { z } from "zod";
import { tenantInput } from "../../trpc";

/** Cancel the whole run, or (with jobKey) one of its jobs. */
export const cancelRunInput = tenantInput.extend({
  runId: z.string().min(1).max(100),
  jobKey: z.string().min(1).max(300).optional(),
});
export type CancelRunInput = z.infer<typeof cancelRunInput>;
