import type { z } from "zod";
import { tenantInput } from "../../trpc";

export const pendingApprovalsInput = tenantInput;
export type PendingApprovalsInput = z.infer<typeof pendingApprovalsInput>;
