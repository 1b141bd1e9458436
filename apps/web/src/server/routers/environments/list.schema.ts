import type { z } from "zod";
import { tenantInput } from "../../trpc";

export const listEnvironmentsInput = tenantInput;
export type ListEnvironmentsInput = z.infer<typeof listEnvironmentsInput>;
