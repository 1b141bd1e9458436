import { AUDIT_ACTIONS, recordAudit } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { DeleteEnvironmentInput } from "./delete.schema";
import { ownEnvironment } from "./own-environment";

/**
 * Deletes an environment with its rules and its secrets. Refused while a deployment to it awaits review: decide or
 * cancel that first (its Approval row belongs to the environment).
 */
export async function deleteEnvironmentHandler({ ctx, input }: { ctx: TenantProcedureContext; input: DeleteEnvironmentInput }) {
  const environment = await ownEnvironment(ctx, input.environmentId);
  const pending = await ctx.db.approval.count({ where: { environmentId: environment.id, status: "PENDING" } });
  if (pending > 0) throw new TRPCError({ code: "PRECONDITION_FAILED", message: `Environment '${environment.name}' has ${pending} deployment(s) awaiting review: approve, reject or cancel them first.` });
  const secrets = await ctx.db.secret.deleteMany({ where: { scope: `env:${environment.id}` } });
  await ctx.db.approval.deleteMany({ where: { environmentId: environment.id } });
  await ctx.db.environment.delete({ where: { id: environment.id } });
  await recordAudit(ctx.database, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId }, action: AUDIT_ACTIONS.environmentDeleted, target: { type: "Environment", id: environment.id }, details: { repository: environment.repository.fullName, name: environment.name, rules: environment.rules.map((rule) => rule.kind), secretsDeleted: secrets.count } });
  return { id: environment.id, name: environment.name };
}
