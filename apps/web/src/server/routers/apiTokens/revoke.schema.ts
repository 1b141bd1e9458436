import { z } from "zod";

export const revokeApiTokenInput = z.object({ id: z.string().min(1).max(100) });
export type RevokeApiTokenInput = z.infer<typeof revokeApiTokenInput>;
