import type { z } from "zod";
import { tenantInput } from "../../trpc";
import { poolName } from "./pool-fields";

export const deletePoolInput = tenantInput.extend({ pool: poolName });
export type DeletePoolInput = z.infer<typeof deletePoolInput>;
