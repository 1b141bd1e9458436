import { z } from "zod";
import { tenantInput } from "../../trpc";

export const runLogsInput = tenantInput.extend({
  runId: z.string().min(1).max(100),
  /** The job's key in the run, e.g. `build` or `test (20)`. */
  jobKey: z.string().min(1).max(300),
  /** Which attempt (1, 2, …); the job's latest when absent. */
  attempt: z.number().int().positive().optional(),
  /** Read chunks from this seq on (to continue where an earlier read stopped). */
  fromSeq: z.number().int().nonnegative().default(0),
});
export type RunLogsInput = z.infer<typeof runLogsInput>;
