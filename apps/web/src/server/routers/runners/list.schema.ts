import type { z } from "zod";
import { tenantInput } from "../../trpc";

export const listRunnersInput = tenantInput;
export type ListRunnersInput = z.infer<typeof listRunnersInput>;
