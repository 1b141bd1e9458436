import { z } from "zod";
import { tenantInput } from "../../trpc";

export const environmentInput = tenantInput.extend({ environmentId: z.string().min(1).max(200) });
