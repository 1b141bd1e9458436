import { protectionRuleConfig } from "@gantry/db";
import type { z } from "zod";
import { hasRole } from "../../roles";
import type { TenantProcedureContext } from "../../trpc";

/**
 * Every repository's environments with their protection rules as the engine reads them (a rule that fails its
 * schema is shown as invalid: the gate refuses jobs on it), the environment's secret names, and the tenant's members
 * (for choosing reviewers) when the caller may edit.
 */
export async function listEnvironmentsHandler({ ctx }: { ctx: TenantProcedureContext }) {
  const canManage = hasRole(ctx.role, "MAINTAINER");
  const [repositories, members] = await Promise.all([
    ctx.db.repository.findMany({
      orderBy: { fullName: "asc" },
      select: { id: true, fullName: true, environments: { orderBy: { name: "asc" }, select: { id: true, name: true, rules: { select: { kind: true, config: true } } } } },
    }),
    ctx.db.membership.findMany({ select: { role: true, user: { select: { id: true, name: true, email: true } } }, orderBy: { user: { name: "asc" } } }),
  ]);
  // Secret names as secrets.list shows them: to developers and above.
  const secrets = !hasRole(ctx.role, "DEVELOPER") ? [] : await ctx.db.secret.findMany({ where: { scope: { startsWith: "env:" } }, select: { scope: true, name: true }, orderBy: { name: "asc" } });
  const rule = <T>(rules: { kind: string; config: unknown }[], kind: keyof typeof protectionRuleConfig, schema: z.ZodType<T>) => {
    const found = rules.find((candidate) => candidate.kind === kind);
    if (!found) return null;
    const parsed = schema.safeParse(found.config);
    return parsed.success ? { valid: true as const, config: parsed.data } : { valid: false as const, problem: parsed.error.issues.map((issue) => issue.message).join("; ") };
  };
  const names = new Map(members.map((member) => [member.user.id, member.user.name || member.user.email]));
  return {
    canManage,
    members: canManage ? members.map((member) => ({ id: member.user.id, name: member.user.name, email: member.user.email, role: member.role })) : [],
    repositories: repositories.map((repository) => ({
      id: repository.id,
      fullName: repository.fullName,
      environments: repository.environments.map((environment) => {
        const reviewers = rule(environment.rules, "REQUIRED_REVIEWERS", protectionRuleConfig.REQUIRED_REVIEWERS);
        return {
          id: environment.id,
          name: environment.name,
          requiredReviewers: reviewers,
          reviewerNames: reviewers?.valid ? reviewers.config.reviewers.map((id) => names.get(id) ?? `${id} (no longer a member)`) : [],
          waitTimer: rule(environment.rules, "WAIT_TIMER", protectionRuleConfig.WAIT_TIMER),
          branchPolicy: rule(environment.rules, "BRANCH_POLICY", protectionRuleConfig.BRANCH_POLICY),
          secrets: secrets.filter((secret) => secret.scope === `env:${environment.id}`).map((secret) => secret.name),
        };
      }),
    })),
  };
}
