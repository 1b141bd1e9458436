// The tenant's own pool by name, for the procedures that change one (a shared pool belongs to its operator).
import { POOL_LIMIT_COLUMNS } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";

export async function ownPool(ctx: TenantProcedureContext, name: string, why: string) {
  // Pools are not tenant-owned rows (a shared pool serves several tenants): the system client, filtered explicitly.
  const pool = await ctx.database
    .system(why)
    .runnerPool.findFirst({
      where: { name, tenantId: ctx.tenant.id, shared: false },
      select: { id: true, name: true, labels: true, provider: true, egress: true, egressAllowlist: true, ...POOL_LIMIT_COLUMNS },
    });
  if (!pool) throw new TRPCError({ code: "NOT_FOUND", message: `Tenant '${ctx.tenant.slug}' has no runner pool of its own named '${name}' (a shared pool is managed by its operator).` });
  return pool;
}
