// Who may decide a deployment approval: the reviewers its environment's REQUIRED_REVIEWERS rule names and the
// members holding one of its reviewerRoles, or, when it names neither, any maintainer or admin of the tenant; with preventSelfReview, never the user who triggered the
// run. How many approvals it needs is the rule's requiredApprovals.
import { hasRole } from "../../roles";
import { protectionRuleConfig, type ProtectionRuleConfig, type Role } from "@gantry/db";
import type { TenantProcedureContext } from "../../trpc";

export type ReviewRule = ProtectionRuleConfig<"REQUIRED_REVIEWERS">;

/** The environment's review rule, its defaults when it has none (or an unreadable one: the gate refuses those). */
export function reviewRuleOf(rules: { kind: string; config: unknown }[]): ReviewRule {
  const rule = rules.find((candidate) => candidate.kind === "REQUIRED_REVIEWERS");
  const parsed = protectionRuleConfig.REQUIRED_REVIEWERS.safeParse(rule?.config ?? {});
  return parsed.success ? parsed.data : protectionRuleConfig.REQUIRED_REVIEWERS.parse({});
}

/** The caller as a reviewer: their id and role, and the names a run's triggeredBy may hold for them. */
export interface Reviewer {
  userId: string;
  role: Role;
  email: string;
  githubLogin: string | null;
}

export async function reviewerOf(ctx: TenantProcedureContext): Promise<Reviewer> {
  const user = await ctx.database.system("approvals: the reviewer's GitHub login (their own user row)").user.findUnique({ where: { id: ctx.session.userId }, select: { githubLogin: true } });
  return { userId: ctx.session.userId, role: ctx.role, email: ctx.session.email, githubLogin: user?.githubLogin ?? null };
}

/** The one place that decides who may review (the inbox, the run page and approvals.decide all ask it). */
export function mayReview(rule: ReviewRule, user: { userId: string; role: Role }): boolean {
  if (!namesReviewers(rule)) return hasRole(user.role, "MAINTAINER");
  return rule.reviewers.includes(user.userId) || rule.reviewerRoles.some((role) => role === user.role);
}

const namesReviewers = (rule: ReviewRule) => rule.reviewers.length > 0 || rule.reviewerRoles.length > 0;

/**
 * Whether the reviewer triggered the run. WorkflowRun.triggeredBy holds the signed-in user's email for a dispatch
 * from the web app or API, a GitHub login for GitHub events (logins compare case-insensitively), and a pusher's
 * name or a word ("schedule", "reconciler") otherwise.
 */
export function triggeredTheRun(triggeredBy: string | null, reviewer: Reviewer): boolean {
  if (!triggeredBy) return false;
  if (triggeredBy === reviewer.userId || triggeredBy.toLowerCase() === reviewer.email.toLowerCase()) return true;
  return reviewer.githubLogin !== null && triggeredBy.toLowerCase() === reviewer.githubLogin.toLowerCase();
}

/** With preventSelfReview, the user who triggered the run may reject its deployment but not approve it (as GitHub). */
export function selfReviewBlocked(rule: ReviewRule, reviewer: Reviewer, run: { triggeredBy: string | null }): boolean {
  return rule.preventSelfReview && triggeredTheRun(run.triggeredBy, reviewer);
}

/** Why the reviewer may not make this decision, or null when they may. */
export function refusalFor(rule: ReviewRule, reviewer: Reviewer, run: { triggeredBy: string | null }, environment: string, decision: "approve" | "reject"): string | null {
  if (!mayReview(rule, reviewer)) {
    if (!namesReviewers(rule)) return `Deciding a deployment to ${environment} needs the maintainer role.`;
    const roles = rule.reviewerRoles.length > 0 ? ` (or members with role ${rule.reviewerRoles.join(" or ")})` : "";
    return `Only the reviewers of environment ${environment}${roles} may decide this deployment.`;
  }
  if (decision === "approve" && selfReviewBlocked(rule, reviewer, run)) return `Environment ${environment} prevents self-review: you triggered this run, so another reviewer must approve it.`;
  return null;
}
