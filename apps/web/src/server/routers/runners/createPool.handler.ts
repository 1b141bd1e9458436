import { AUDIT_ACTIONS, hashToken, newToken, poolLimitData, randomId, recordAudit } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { CreatePoolInput } from "./createPool.schema";
import { egressColumn, providerColumn } from "./pool-fields";
import { isUniqueViolation } from "../../prisma-errors";


/**
 * A runner pool of the tenant's own (never shared: sharing is an operator's concern). Its registration token is
 * answered once, here; only its hash is kept.
 */
export async function createPoolHandler({ ctx, input }: { ctx: TenantProcedureContext; input: CreatePoolInput }) {
  const { tenant: _tenant, name, labels, provider, egress = "none", egressAllowlist = [], ...limits } = input;
  const definedLimits = Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
  const token = newToken("grt");
  const id = randomId("pool");
  try {
    await ctx.database
      .system("tRPC runners.createPool: a pool of the tenant's own")
      .runnerPool.create({
        data: { id, tenantId: ctx.tenant.id, shared: false, name, labels, provider: providerColumn(provider), egress: egressColumn(egress), egressAllowlist, ...poolLimitData(definedLimits), registrationTokenHash: hashToken(token) },
      });
  } catch (error) {
    if (isUniqueViolation(error)) throw new TRPCError({ code: "CONFLICT", message: `A runner pool named '${name}' already exists; pool names are unique across the platform, choose another.` });
    throw error;
  }
  await recordAudit(ctx.database, {
    tenantId: ctx.tenant.id,
    actor: { kind: "USER", id: ctx.session.userId },
    action: AUDIT_ACTIONS.poolCreated,
    target: { type: "RunnerPool", id },
    details: { name, labels, provider, egress, egressAllowlist, ...definedLimits },
  });
  return { pool: { id, name }, registrationToken: token };
}
