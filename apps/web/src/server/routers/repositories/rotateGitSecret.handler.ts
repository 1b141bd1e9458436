import { AUDIT_ACTIONS, recordAudit } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import { newNotifySecret } from "./notify-secret";
import type { RotateGitSecretInput } from "./rotateGitSecret.schema";

/** A new push secret for one of the tenant's git sources, answered once; notifications signed with the old one are refused from now on. */
export async function rotateGitSecretHandler({ ctx, input }: { ctx: TenantProcedureContext; input: RotateGitSecretInput }) {
  const source = await ctx.db.gitSource.findFirst({ where: { id: input.gitSourceId }, select: { id: true, name: true, repositories: { select: { id: true, fullName: true }, orderBy: { fullName: "asc" } } } });
  if (!source) throw new TRPCError({ code: "NOT_FOUND", message: `Tenant '${ctx.tenant.slug}' has no git source '${input.gitSourceId}'.` });
  const { secret, sealed } = await newNotifySecret(ctx, source.id);
  await ctx.db.gitSource.update({ where: { id: source.id }, data: { notifySecretCiphertext: sealed } });
  await recordAudit(ctx.database, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId }, action: AUDIT_ACTIONS.gitSourceSecretRotated, target: { type: "GitSource", id: source.id }, details: { name: source.name } });
  return { gitSource: { id: source.id, name: source.name }, repositories: source.repositories, notifySecret: secret };
}
