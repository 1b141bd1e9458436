import { AUDIT_ACTIONS, randomId, recordAudit } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import { FieldErrors, type TenantProcedureContext } from "../../trpc";
import { RULE_KINDS } from "./environment-fields";
import { ownEnvironment } from "./own-environment";
import type { SetProtectionInput } from "./setProtection.schema";

/**
 * Sets, replaces or removes (null) an environment's protection rules; rules left out stay. Reviewers must be
 * members of the tenant. One audit entry with what was given. Jobs already held at the gate are checked against
 * the rules as they are at their next check.
 */
export async function setProtectionHandler({ ctx, input }: { ctx: TenantProcedureContext; input: SetProtectionInput }) {
  const environment = await ownEnvironment(ctx, input.environmentId);
  const reviewers = input.requiredReviewers?.reviewers ?? [];
  if (reviewers.length > 0) {
    const members = await ctx.db.membership.findMany({ where: { userId: { in: reviewers } }, select: { userId: true } });
    const missing = reviewers.filter((id) => !members.some((member) => member.userId === id));
    if (missing.length > 0) {
      const message = `reviewers must be members of tenant '${ctx.tenant.slug}': ${missing.join(", ")} is not`;
      throw new TRPCError({ code: "BAD_REQUEST", message, cause: new FieldErrors(message, [{ path: ["requiredReviewers", "reviewers"], message }]) });
    }
  }
  const given = (Object.keys(RULE_KINDS) as (keyof typeof RULE_KINDS)[]).filter((field) => input[field] !== undefined);
  if (given.length === 0) throw new TRPCError({ code: "BAD_REQUEST", message: "give at least one rule to set or remove (requiredReviewers, waitTimer, branchPolicy)" });
  await ctx.db.$transaction(
    given.flatMap((field) => {
      const kind = RULE_KINDS[field];
      const config = input[field];
      const removal = ctx.db.protectionRule.deleteMany({ where: { environmentId: environment.id, kind } });
      return config === null || config === undefined ? [removal] : [removal, ctx.db.protectionRule.create({ data: { id: randomId("rule"), tenantId: ctx.tenant.id, environmentId: environment.id, kind, config } })];
    }),
  );
  const details = Object.fromEntries(given.map((field) => [field, input[field] ?? null]));
  await recordAudit(ctx.database, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId }, action: AUDIT_ACTIONS.environmentUpdated, target: { type: "Environment", id: environment.id }, details: { repository: environment.repository.fullName, name: environment.name, ...details } });
  return { id: environment.id, changed: given };
}
