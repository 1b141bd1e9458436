import type { Role } from "@gantry/db";
import { actionsPolicySchema, type ActionsPolicy } from "@gantry/workflow-schema";
import type { TenantProcedureContext } from "../../trpc";

export interface TenantSettings {
  injectionIsError: boolean;
  allowedActions: ActionsPolicy;
  /** Stored and shown; what intake does with APPROVE_FIRST_TIME is not wired yet (docs/github.md). */
  forkPullRequests: "RUN" | "APPROVE_FIRST_TIME";
  /** The GITHUB_TOKEN a job gets when it declares no `permissions:` (docs/github.md). */
  defaultTokenPermissions: "READ" | "WRITE";
  /** Jobs of the tenant running at once, across its pools. */
  maxConcurrentJobs: number;
  /** Job starts per second and the burst above it; null: no rate limit. */
  rateLimit: { perSecond: number; burst: number } | null;
  /** The fair scheduler's weight (priority class). */
  schedulingWeight: number;
  /** GitHub sign-in: members of the organisation that installed the App join with this role; null: only by invitation. */
  githubOrgJoinRole: Role | null;
}

/** The tenant's settings: how its workflows are judged at intake, its tokens' defaults, its scheduling plan, who joins at GitHub sign-in. */
export async function readTenantSettings(ctx: TenantProcedureContext): Promise<TenantSettings> {
  const tenant = await ctx.db.tenant.findUniqueOrThrow({
    where: { id: ctx.tenant.id },
    select: { injectionLintError: true, allowedActions: true, forkPullRequests: true, defaultTokenPermissions: true, maxConcurrentJobs: true, rateLimitPerSec: true, rateLimitBurst: true, schedulingWeight: true, githubOrgJoinRole: true },
  });
  return {
    injectionIsError: tenant.injectionLintError,
    // Only updateSettings writes the policy, through the same schema; reading it back checks that again.
    allowedActions: actionsPolicySchema.parse(tenant.allowedActions),
    forkPullRequests: tenant.forkPullRequests,
    defaultTokenPermissions: tenant.defaultTokenPermissions,
    maxConcurrentJobs: tenant.maxConcurrentJobs,
    rateLimit: tenant.rateLimitPerSec === null ? null : { perSecond: tenant.rateLimitPerSec, burst: tenant.rateLimitBurst },
    schedulingWeight: tenant.schedulingWeight,
    githubOrgJoinRole: tenant.githubOrgJoinRole,
  };
}

/**
 * The tenant's settings as the settings page shows them (any member may read them: they say how the tenant's
 * workflows are judged), whether the caller may change them, and whether the operator lets admins set the priority.
 */
export async function tenantSettingsHandler({ ctx }: { ctx: TenantProcedureContext }) {
  return { ...(await readTenantSettings(ctx)), canManage: ctx.role === "ADMIN", canSetPriority: ctx.role === "ADMIN" && ctx.tenantAdminsSetPriority === true };
}
