// What an environment's protection rules say (ProtectionRule.config, by kind). Written by admins, read by the
// worker's gate; parsed with zod at both ends so a malformed rule is a clear error, never a silent pass.
import { z } from "zod";

/** GitHub's default: a deployment review waits up to 30 days. */
export const DEFAULT_APPROVAL_EXPIRY_MINUTES = 30 * 24 * 60;

/** GitHub allows up to six required reviewers per environment. */
export const MAX_REQUIRED_APPROVALS = 6;

/** The roles a rule may name as reviewers (a viewer may not deploy anything). */
export const REVIEWER_ROLES = ["DEVELOPER", "MAINTAINER", "ADMIN"] as const;

export const protectionRuleConfig = {
  /**
   * Who may approve: the named users (ids) and any member whose role is one of `reviewerRoles`; neither named: any
   * maintainer or admin of the tenant. `requiredApprovals` reviewers must
   * approve (GitHub has one); with `preventSelfReview` the user who triggered the run may not approve it.
   */
  REQUIRED_REVIEWERS: z.object({
    reviewers: z.array(z.string().min(1)).default([]),
    reviewerRoles: z.array(z.enum(REVIEWER_ROLES)).default([]),
    requiredApprovals: z.number().int().min(1, "at least one approval").max(MAX_REQUIRED_APPROVALS, `at most ${MAX_REQUIRED_APPROVALS} approvals`).default(1),
    preventSelfReview: z.boolean().default(false),
    expiresInMinutes: z.number().int().min(1).max(DEFAULT_APPROVAL_EXPIRY_MINUTES).default(DEFAULT_APPROVAL_EXPIRY_MINUTES),
  }),
  /** The job waits this long after reaching the gate (GitHub allows up to 30 days). */
  WAIT_TIMER: z.object({ minutes: z.number().int().min(0).max(43_200) }),
  /** Which refs may deploy: glob patterns as in `on.push.branches` / `tags` (a `!` pattern excludes). */
  BRANCH_POLICY: z.object({ branches: z.array(z.string().min(1)).default([]), tags: z.array(z.string().min(1)).default([]) }),
} as const;

export type ProtectionRuleKindName = keyof typeof protectionRuleConfig;
export type ProtectionRuleConfig<K extends ProtectionRuleKindName> = z.infer<(typeof protectionRuleConfig)[K]>;
