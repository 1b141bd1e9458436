import { z } from "zod";
import { tenantInput } from "../../trpc";

/** Approve, or decline (cancel), a fork's pull request run held for a maintainer by the tenant's policy. */
export const forkDecisionInput = tenantInput.extend({
  runId: z.string().min(1).max(100),
});
export type ForkDecisionInput = z.infer<typeof forkDecisionInput>;
