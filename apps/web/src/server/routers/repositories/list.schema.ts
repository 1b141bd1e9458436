import type { z } from "zod";
import { tenantInput } from "../../trpc";

export const listRepositoriesInput = tenantInput;
export type ListRepositoriesInput = z.infer<typeof listRepositoriesInput>;
