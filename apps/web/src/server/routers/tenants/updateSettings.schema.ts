import { z } from "zod";
import { actionsPolicySchema } from "@gantry/workflow-schema";
import { tenantInput } from "../../trpc";

export const updateTenantSettingsInput = tenantInput
  .extend({
    /** Script injection (`${{ github.event.pull_request.title }}` in `run:`) refuses the workflow instead of warning. */
    injectionIsError: z.boolean().optional(),
    /** Which actions `uses:` may name: all, GitHub-owned, or a list of patterns (each checked: a bad one is refused). */
    allowedActions: actionsPolicySchema.optional(),
  })
  .refine((input) => input.injectionIsError !== undefined || input.allowedActions !== undefined, { message: "give injectionIsError, allowedActions or both" });
export type UpdateTenantSettingsInput = z.infer<typeof updateTenantSettingsInput>;
