// Who may decide a deployment approval: the reviewers its environment's REQUIRED_REVIEWERS rule names, or, when
// it names nobody, any maintainer or admin of the tenant.
import { hasRole } from "../../roles";
import { protectionRuleConfig, type Role } from "@gantry/db";

export function reviewersOf(rules: { kind: string; config: unknown }[]): string[] {
  const rule = rules.find((candidate) => candidate.kind === "REQUIRED_REVIEWERS");
  const parsed = rule ? protectionRuleConfig.REQUIRED_REVIEWERS.safeParse(rule.config) : null;
  return parsed?.success ? parsed.data.reviewers : [];
}

export function mayReview(reviewers: string[], user: { userId: string; role: Role }): boolean {
  return reviewers.length > 0 ? reviewers.includes(user.userId) : hasRole(user.role, "MAINTAINER");
}
