import { z } from "zod";
import { tenantInput } from "../../trpc";
import { environmentName } from "./environment-fields";

export const createEnvironmentInput = tenantInput.extend({ repositoryId: z.string().min(1).max(200), name: environmentName });
export type CreateEnvironmentInput = z.infer<typeof createEnvironmentInput>;
