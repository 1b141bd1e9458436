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
    /** Pull requests from forks: run them, or (stored only for now) hold a first-time contributor's for approval. */
    forkPullRequests: z.enum(["RUN", "APPROVE_FIRST_TIME"]).optional(),
    /** The GITHUB_TOKEN of a job that declares no `permissions:`: contents and packages read, or write to every scope. */
    defaultTokenPermissions: z.enum(["READ", "WRITE"]).optional(),
    /** Jobs of the tenant running at once. */
    maxConcurrentJobs: z.number().int().min(1, "at least one job must be able to run").max(10_000).optional(),
    /** Job starts per second (with a burst), or null for no rate limit. */
    rateLimit: z.object({ perSecond: z.number().positive("a rate is above zero (or no rate limit)").max(10_000), burst: z.number().int().min(1).max(10_000) }).nullable().optional(),
    /** The fair scheduler's weight; only when the operator lets tenant admins set it (GANTRY_TENANT_ADMINS_SET_PRIORITY). */
    schedulingWeight: z.number().int().min(1).max(100).optional(),
    /** GitHub sign-in: members of the organisation that installed the App join with this role; null: only by invitation. */
    githubOrgJoinRole: roleInput.nullable().optional(),
  })
  .refine((input) => Object.entries(input).some(([key, value]) => key !== "tenant" && value !== undefined), { message: "give at least one setting to change" });
export type UpdateTenantSettingsInput = z.infer<typeof updateTenantSettingsInput>;
