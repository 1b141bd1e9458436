import { z } from "zod";
import { tenantInput } from "../../trpc";

export const setSharedPoolSecretsInput = tenantInput.extend({ pool: z.string().min(1).max(100), secrets: z.boolean() });
export type SetSharedPoolSecretsInput = z.infer<typeof setSharedPoolSecretsInput>;
