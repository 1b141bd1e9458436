// Variables (the `vars` context, docs/variables.md): plain configuration, not secret — every member reads them,
// maintainers set and delete them. Names compare without case, as GitHub's do: one name, however written, is one
// variable per scope. Every change is audited with the value (it is not secret).
import { AUDIT_ACTIONS, randomId, recordAudit } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import { scopeKey } from "../secrets/scope-key";
import type { DeleteVariableInput, SetVariableInput } from "./variables.schema";

const audit = (ctx: TenantProcedureContext, action: (typeof AUDIT_ACTIONS)["variableCreated" | "variableUpdated" | "variableDeleted"], scope: string, name: string, value?: string) =>
  recordAudit(ctx.database, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId }, action, target: { type: "Variable", id: `${scope}/${name}` }, details: { scope, name, ...(value === undefined ? {} : { value }) } });

/** The secrets page's view: the tenant's, each repository's and each environment's variables, and whether the caller may change them. */
export async function variablesOverviewHandler({ ctx }: { ctx: TenantProcedureContext }) {
  const [repositories, rows] = await Promise.all([
    ctx.db.repository.findMany({ select: { id: true, fullName: true }, orderBy: { fullName: "asc" } }),
    ctx.db.variable.findMany({ select: { scope: true, name: true, value: true, updatedAt: true }, orderBy: { name: "asc" } }),
  ]);
  const environments = await ctx.db.environment.findMany({ select: { id: true, repositoryId: true, name: true }, orderBy: { name: "asc" } });
  const of = (scope: string) => rows.filter((row) => row.scope === scope).map((row) => ({ name: row.name, value: row.value, updatedAt: row.updatedAt.toISOString() }));
  return {
    canManage: ctx.role === "ADMIN" || ctx.role === "MAINTAINER",
    tenant: of("tenant"),
    repositories: repositories.map((repository) => ({
      repository: repository.fullName,
      variables: of(`repo:${repository.id}`),
      environments: environments.filter((environment) => environment.repositoryId === repository.id).map((environment) => ({ environment: environment.name, variables: of(`env:${environment.id}`) })),
    })),
  };
}

export async function setVariableHandler({ ctx, input }: { ctx: TenantProcedureContext; input: SetVariableInput }) {
  const scope = await scopeKey(ctx, input.scope);
  const existing = await ctx.db.variable.findFirst({ where: { scope, name: { equals: input.name, mode: "insensitive" } }, select: { id: true, name: true } });
  const name = existing?.name ?? input.name.toUpperCase();
  if (existing) await ctx.db.variable.update({ where: { id: existing.id }, data: { value: input.value } });
  else await ctx.db.variable.create({ data: { id: randomId("var"), tenantId: ctx.tenant.id, scope, name, value: input.value } });
  await audit(ctx, existing ? AUDIT_ACTIONS.variableUpdated : AUDIT_ACTIONS.variableCreated, scope, name, input.value);
  return { name, created: !existing };
}

export async function deleteVariableHandler({ ctx, input }: { ctx: TenantProcedureContext; input: DeleteVariableInput }) {
  const scope = await scopeKey(ctx, input.scope);
  const existing = await ctx.db.variable.findFirst({ where: { scope, name: { equals: input.name, mode: "insensitive" } }, select: { id: true, name: true } });
  if (!existing) throw new TRPCError({ code: "NOT_FOUND", message: `No variable ${input.name} here.` });
  await ctx.db.variable.delete({ where: { id: existing.id } });
  await audit(ctx, AUDIT_ACTIONS.variableDeleted, scope, existing.name);
  return { name: existing.name };
}
