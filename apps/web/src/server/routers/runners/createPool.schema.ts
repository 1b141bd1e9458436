import type { z } from "zod";
import { tenantInput } from "../../trpc";
import { checkPoolFields, poolFields, poolName } from "./pool-fields";

// The CLI (`gantry pools create`) calls this with exactly these names.
export const createPoolInput = tenantInput.extend({ name: poolName, ...poolFields.shape }).superRefine(checkPoolFields);
export type CreatePoolInput = z.infer<typeof createPoolInput>;
