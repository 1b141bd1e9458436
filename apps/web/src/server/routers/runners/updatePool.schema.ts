import type { z } from "zod";
import { tenantInput } from "../../trpc";
import { checkPoolFields, poolFields, poolName } from "./pool-fields";

/** The pool by name and the fields to change; the ones left out keep their values. */
export const updatePoolInput = tenantInput
  .extend({ pool: poolName, ...poolFields.partial().shape })
  .superRefine(checkPoolFields);
export type UpdatePoolInput = z.infer<typeof updatePoolInput>;
