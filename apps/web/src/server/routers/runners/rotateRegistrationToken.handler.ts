import { AUDIT_ACTIONS, hashToken, newToken, recordAudit } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { RotateRegistrationTokenInput } from "./rotateRegistrationToken.schema";

/**
 * A new registration token for one of the tenant's own pools, shown once (only its hash is kept). The old token
 * stops admitting runners at once; runners already in the pool keep their own credentials. A shared pool's token
 * belongs to the operator who shares it.
 */
export async function rotateRegistrationTokenHandler({ ctx, input }: { ctx: TenantProcedureContext; input: RotateRegistrationTokenInput }) {
  const token = newToken("grt");
  const rotated = await ctx.database
    .system("tRPC runners.rotateRegistrationToken: the tenant's own pool")
    .runnerPool.updateMany({ where: { name: input.pool, tenantId: ctx.tenant.id, shared: false }, data: { registrationTokenHash: hashToken(token) } });
  if (rotated.count === 0) {
    throw new TRPCError({ code: "NOT_FOUND", message: `Tenant '${ctx.tenant.slug}' has no runner pool of its own named '${input.pool}' (a shared pool's token is rotated by its operator).` });
  }
  await recordAudit(ctx.database, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId }, action: AUDIT_ACTIONS.poolRegistrationTokenRotated, target: { type: "RunnerPool", id: input.pool }, details: { pool: input.pool } });
  return { pool: input.pool, token };
}
