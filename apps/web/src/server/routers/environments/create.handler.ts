import { AUDIT_ACTIONS, randomId, recordAudit } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { CreateEnvironmentInput } from "./create.schema";

/** An environment of one of the tenant's repositories, without rules (like GitHub, unprotected until given some). */
export async function createEnvironmentHandler({ ctx, input }: { ctx: TenantProcedureContext; input: CreateEnvironmentInput }) {
  const repository = await ctx.db.repository.findFirst({ where: { id: input.repositoryId }, select: { id: true, fullName: true } });
  if (!repository) throw new TRPCError({ code: "NOT_FOUND", message: `Tenant '${ctx.tenant.slug}' has no repository '${input.repositoryId}'.` });
  const existing = await ctx.db.environment.findFirst({ where: { repositoryId: repository.id, name: input.name }, select: { id: true } });
  if (existing) throw new TRPCError({ code: "CONFLICT", message: `${repository.fullName} already has an environment named '${input.name}'.` });
  const id = randomId("env");
  await ctx.db.environment.create({ data: { id, tenantId: ctx.tenant.id, repositoryId: repository.id, name: input.name } });
  await recordAudit(ctx.database, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId }, action: AUDIT_ACTIONS.environmentCreated, target: { type: "Environment", id }, details: { repository: repository.fullName, name: input.name } });
  return { id, name: input.name, repository: repository.fullName };
}
