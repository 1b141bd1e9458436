import { z } from "zod";
import { tenantInput } from "../../trpc";
import { checkPoolFields, POOL_EGRESS, poolFields, poolName } from "./pool-fields";

// The CLI (`gantry pools create`) calls this with exactly these names. A new pool's egress is `none` unless given
// (so an allowlist given without `egress: "allowlist"` is refused, not stored unused).
export const createPoolInput = tenantInput.extend({ name: poolName, ...poolFields.shape, egress: z.enum(POOL_EGRESS).default("none") }).superRefine(checkPoolFields);
export type CreatePoolInput = z.infer<typeof createPoolInput>;
