import { z } from "zod";
import { tenantInput } from "../../trpc";

export const syncInstallationInput = tenantInput.extend({ installationId: z.string().min(1).max(200) });
export type SyncInstallationInput = z.infer<typeof syncInstallationInput>;
