import { z } from "zod";
import { tenantInput } from "../../trpc";

export const removeMemberInput = tenantInput.extend({ userId: z.string().min(1).max(64) });
export type RemoveMemberInput = z.infer<typeof removeMemberInput>;
