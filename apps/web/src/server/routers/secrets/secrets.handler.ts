// Secrets (DESIGN.md invariant 8): sealed under the tenant's data key by @gantry/db's secret store; values go in
// and never come out of this API. Setting and deleting are audited, without the value.
import { secretStore, SecretError } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import { scopeKey } from "./scope-key";
import type { DeleteSecretInput, ListSecretsInput, SetSecretInput } from "./secrets.schema";

function store(ctx: TenantProcedureContext) {
  if (!ctx.masterKey) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "Secrets need GANTRY_MASTER_KEY on the control plane (openssl rand -base64 32)." });
  return secretStore(ctx.db, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId } }, ctx.masterKey);
}

const audit = (ctx: TenantProcedureContext, action: string, scope: string, name: string) =>
  ctx.db.auditEvent.create({ data: { tenantId: ctx.tenant.id, actorKind: "USER", actorId: ctx.session.userId, action, targetType: "Secret", targetId: `${scope}/${name}`, data: { scope, name } } });

/** The settings page's view: the tenant's secrets and each repository's (names and dates), and whether the caller may change them. */
export async function secretsOverviewHandler({ ctx }: { ctx: TenantProcedureContext }) {
  const repositories = await ctx.db.repository.findMany({ select: { id: true, fullName: true }, orderBy: { fullName: "asc" } });
  const rows = await ctx.db.secret.findMany({ select: { scope: true, name: true, updatedAt: true }, orderBy: { name: "asc" } });
  const of = (scope: string) => rows.filter((row) => row.scope === scope).map((row) => ({ name: row.name, updatedAt: row.updatedAt.toISOString() }));
  return {
    canManage: ctx.role === "ADMIN",
    configured: Boolean(ctx.masterKey),
    tenant: of("tenant"),
    repositories: repositories.map((repository) => ({ repository: repository.fullName, secrets: of(`repo:${repository.id}`) })),
  };
}

export async function listSecretsHandler({ ctx, input }: { ctx: TenantProcedureContext; input: ListSecretsInput }) {
  const scope = await scopeKey(ctx, input.scope);
  const rows = await ctx.db.secret.findMany({ where: { scope }, select: { name: true, updatedAt: true }, orderBy: { name: "asc" } });
  return rows.map((row) => ({ name: row.name, updatedAt: row.updatedAt.toISOString() }));
}

export async function setSecretHandler({ ctx, input }: { ctx: TenantProcedureContext; input: SetSecretInput }) {
  const scope = await scopeKey(ctx, input.scope);
  // GitHub's names are case-insensitive: one name, however it is written, is one secret.
  const existing = await ctx.db.secret.findFirst({ where: { scope, name: { equals: input.name, mode: "insensitive" } }, select: { name: true } });
  const name = existing?.name ?? input.name.toUpperCase();
  try {
    await store(ctx).put(scope, name, input.value);
  } catch (error) {
    if (error instanceof SecretError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message });
    throw error;
  }
  await audit(ctx, existing ? "secret.update" : "secret.create", scope, name);
  return { name, created: !existing };
}

export async function deleteSecretHandler({ ctx, input }: { ctx: TenantProcedureContext; input: DeleteSecretInput }) {
  const scope = await scopeKey(ctx, input.scope);
  const existing = await ctx.db.secret.findFirst({ where: { scope, name: { equals: input.name, mode: "insensitive" } }, select: { name: true } });
  if (!existing) throw new TRPCError({ code: "NOT_FOUND", message: `No secret ${input.name} here.` });
  await ctx.db.secret.deleteMany({ where: { scope, name: existing.name } });
  await audit(ctx, "secret.delete", scope, existing.name);
  return { name: existing.name };
}
