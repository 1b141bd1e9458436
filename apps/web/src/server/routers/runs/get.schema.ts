import { z } from "zod";
import { tenantInput } from "../../trpc";

export const getRunInput = tenantInput.extend({ runId: z.string().min(1).max(100) });
export type GetRunInput = z.infer<typeof getRunInput>;
