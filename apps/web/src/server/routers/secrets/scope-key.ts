// Where a secret or a variable lives, as the stores key it: "tenant", "repo:<id>" or "env:<id>" (the environment's
// id), from the repository's full name and the environment's name; NOT_FOUND naming what is missing.
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { SecretScopeInput } from "./secrets.schema";

export async function scopeKey(ctx: TenantProcedureContext, scope: SecretScopeInput): Promise<string> {
  if (scope.kind === "tenant") return "tenant";
  const repository = await ctx.db.repository.findFirst({ where: { fullName: scope.repository }, select: { id: true } });
  if (!repository) throw new TRPCError({ code: "NOT_FOUND", message: `No repository ${scope.repository} in ${ctx.tenant.slug}.` });
  if (scope.kind === "repository") return `repo:${repository.id}`;
  const environment = await ctx.db.environment.findFirst({ where: { repositoryId: repository.id, name: scope.environment }, select: { id: true } });
  if (!environment) throw new TRPCError({ code: "NOT_FOUND", message: `No environment ${scope.environment} in ${scope.repository}.` });
  return `env:${environment.id}`;
}
