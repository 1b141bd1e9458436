import { z } from "zod";
import type { Role } from "@gantry/db";
import { tenantInput } from "../../trpc";

/** Who may re-run: the procedure checks it, and runs.get's `canRerun` tells the page whether to offer the buttons. */
export const RERUN_ROLE: Role = "DEVELOPER";

/**
 * Re-run an ended run as its next attempt: every job (`all`), the failed and cancelled ones (`failed`), or one job
 * (`job` with jobKey: a job key, one matrix cell's key, or a job id for all its cells) — each with its dependents.
 */
export const rerunRunInput = tenantInput
  .extend({
    runId: z.string().min(1).max(100),
    mode: z.enum(["all", "failed", "job"]),
    jobKey: z.string().min(1).max(300).optional(),
  })
  .refine((input) => (input.mode === "job") === (input.jobKey !== undefined), { message: "jobKey is given with mode job, and only then", path: ["jobKey"] });
export type RerunRunInput = z.infer<typeof rerunRunInput>;
