import { z } from "zod";
import { tenantInput } from "../../trpc";
import { poolName } from "./pool-fields";

/** One runner of one of the tenant's own pools, by the names the pools page shows. */
export const runnerInput = tenantInput.extend({ pool: poolName, runner: z.string().min(1).max(200) });
export type RunnerInput = z.infer<typeof runnerInput>;
