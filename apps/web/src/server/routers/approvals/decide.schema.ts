import { z } from "zod";
import { tenantInput } from "../../trpc";

export const decideApprovalInput = tenantInput.extend({
  approvalId: z.string().min(1).max(200),
  decision: z.enum(["approve", "reject"]),
  comment: z.string().trim().max(2_000).optional(),
});
export type DecideApprovalInput = z.infer<typeof decideApprovalInput>;
