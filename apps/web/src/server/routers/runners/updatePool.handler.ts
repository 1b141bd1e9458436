import { AUDIT_ACTIONS, poolLimitData, poolLimitsOf, recordAudit } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { FieldErrors, type TenantProcedureContext } from "../../trpc";
import { checkPoolFields, egressColumn, providerColumn, type PoolFields } from "./pool-fields";
import { ownPool } from "./own-pool";
import type { UpdatePoolInput } from "./updatePool.schema";

/**
 * Changes one of the tenant's own pools. Limits apply from each runner's next claim (the claim reads them); a
 * provider or egress change reaches a runner when it registers again (its sandbox is set up from them then).
 */
export async function updatePoolHandler({ ctx, input }: { ctx: TenantProcedureContext; input: UpdatePoolInput }) {
  const { tenant: _tenant, pool: name, labels, provider, egress, egressAllowlist, ...limits } = input;
  const current = await ownPool(ctx, name, "tRPC runners.updatePool: the tenant's own pool");
  const before = { labels: current.labels, provider: current.provider.toLowerCase() as PoolFields["provider"], egress: current.egress.toLowerCase() as NonNullable<PoolFields["egress"]>, egressAllowlist: current.egressAllowlist, ...poolLimitsOf(current) };
  const changedLimits = Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
  // Egress left out keeps its value, and so does the list unless a new egress says otherwise.
  const nextEgress = egress ?? before.egress;
  const after = { ...before, ...changedLimits, labels: labels ?? before.labels, provider: provider ?? before.provider, egress: nextEgress, egressAllowlist: egressAllowlist ?? (nextEgress === "allowlist" ? before.egressAllowlist : []) };
  // The rules across fields once more, on the pool as it would be (the input alone may name only one of them).
  const combined = z.object({ provider: z.string(), egress: z.string(), egressAllowlist: z.array(z.string()) }).superRefine(checkPoolFields).safeParse(after);
  if (!combined.success) {
    throw new TRPCError({ code: "BAD_REQUEST", message: combined.error.issues.map((issue) => issue.message).join("; "), cause: new FieldErrors("pool", combined.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message }))) });
  }
  const { cpus, memoryBytes, pids, diskBytes, fileSizeBytes, maxTimeoutMinutes } = after;
  await ctx.database
    .system("tRPC runners.updatePool: the tenant's own pool")
    .runnerPool.update({
      where: { id: current.id },
      data: { labels: after.labels, provider: providerColumn(after.provider), egress: egressColumn(after.egress), egressAllowlist: after.egressAllowlist, ...poolLimitData({ cpus, memoryBytes, pids, diskBytes, fileSizeBytes, maxTimeoutMinutes }) },
    });
  const changes = Object.fromEntries(
    Object.entries(after)
      .filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(before[key as keyof typeof before]))
      .map(([key, value]) => [key, { from: before[key as keyof typeof before], to: value }]),
  );
  await recordAudit(ctx.database, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId }, action: AUDIT_ACTIONS.poolUpdated, target: { type: "RunnerPool", id: current.id }, details: { pool: name, changes } });
  return { pool: { id: current.id, name }, changed: Object.keys(changes) };
}
