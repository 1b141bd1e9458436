import { z } from "zod";
import { tenantInput } from "../../trpc";

export const listApprovalsInput = tenantInput.extend({ runId: z.string().min(1).max(200) });
export type ListApprovalsInput = z.infer<typeof listApprovalsInput>;
