// What the environment forms and procedures take: a name as GitHub allows it, and each protection rule's config
// in exactly the engine's schemas (@gantry/db protectionRuleConfig, read by packages/engine environment-gate.ts).
import { protectionRuleConfig } from "@gantry/db";
import { z } from "zod";

export const environmentName = z
  .string()
  .trim()
  .min(1, "give the environment a name")
  .max(255)
  .regex(/^[A-Za-z0-9 ._-]+$/, "letters, digits, spaces, '.', '_' and '-'");

/** Each rule's config, or null to remove that rule; left out, the rule stays as it is. */
export const protectionRulesInput = z.object({
  requiredReviewers: protectionRuleConfig.REQUIRED_REVIEWERS.refine((config) => config.reviewers.length + config.reviewerRoles.length > 0, { message: "name at least one reviewer or role (with none, any maintainer or admin approves: remove the rule instead)", path: ["reviewers"] })
    // Named users alone must be able to give every approval the rule needs, or no deployment could ever pass.
    .refine((config) => config.reviewerRoles.length > 0 || config.requiredApprovals <= config.reviewers.length, { message: "more approvals than named reviewers: name more reviewers, add a role, or ask for fewer", path: ["requiredApprovals"] })
    .nullable()
    .optional(),
  waitTimer: protectionRuleConfig.WAIT_TIMER.nullable().optional(),
  branchPolicy: protectionRuleConfig.BRANCH_POLICY.refine((config) => config.branches.length + config.tags.length > 0, { message: "name at least one branch or tag pattern (with none, no ref may deploy)", path: ["branches"] }).nullable().optional(),
});
export type ProtectionRulesInput = z.infer<typeof protectionRulesInput>;

/** The rule kinds by the input's field names. */
export const RULE_KINDS = { requiredReviewers: "REQUIRED_REVIEWERS", waitTimer: "WAIT_TIMER", branchPolicy: "BRANCH_POLICY" } as const;
