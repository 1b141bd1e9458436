import { z } from "zod";
import { actionsPolicySchema } from "@gantry/workflow-schema";
import { tenantInput } from "../../trpc";
import { roleInput } from "../members/invite.schema";

export const updateTenantSettingsInput = tenantInput
  .extend({
    /** Script injection (`${{ github.event.pull_request.title }}` in `run:`) refuses the workflow instead of warning. */
    injectionIsError: z.boolean().optional(),
    /** Which actions `uses:` may name: all, GitHub-owned, or a list of patterns (each checked: a bad one is refused). */
    allowedActions: actionsPolicySchema.optional(),
    /** GitHub sign-in: members of the organisation that installed the App join with this role; null: only by invitation. */
    githubOrgJoinRole: roleInput.nullable().optional(),
  })
  .refine((input) => input.injectionIsError !== undefined || input.allowedActions !== undefined || input.githubOrgJoinRole !== undefined, { message: "give injectionIsError, allowedActions, githubOrgJoinRole or several" });
export type UpdateTenantSettingsInput = z.infer<typeof updateTenantSettingsInput>;
