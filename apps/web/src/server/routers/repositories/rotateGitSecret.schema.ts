import { z } from "zod";
import { tenantInput } from "../../trpc";

export const rotateGitSecretInput = tenantInput.extend({ gitSourceId: z.string().min(1).max(200) });
export type RotateGitSecretInput = z.infer<typeof rotateGitSecretInput>;
