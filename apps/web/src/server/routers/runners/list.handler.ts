import { isRunnerOnline } from "../../runners";
import type { TenantProcedureContext } from "../../trpc";
import type { ListRunnersInput } from "./list.schema";

/** The pools that serve this tenant (its own and the shared ones), each with its runners and their status. */
export async function listRunnersHandler({ ctx }: { ctx: TenantProcedureContext; input: ListRunnersInput }) {
  const now = ctx.now();
  // Pools and runners are not tenant-owned rows (a shared pool serves everyone), so this reads them through
  // the system client with an explicit filter: the tenant's pools and the shared ones, nothing else.
  const pools = await ctx.database
    .system("tRPC runners.list: pools visible to the tenant")
    .runnerPool.findMany({
      where: { OR: [{ tenantId: ctx.tenant.id }, { tenantId: null }] },
      orderBy: { name: "asc" },
      select: {
        id: true,
        name: true,
        tenantId: true,
        labels: true,
        provider: true,
        egress: true,
        egressAllowlist: true,
        runners: {
          orderBy: { name: "asc" },
          select: { id: true, name: true, status: true, version: true, capacity: true, lastSeenAt: true },
        },
      },
    });
  return pools.map(({ tenantId, runners, ...pool }) => ({
    ...pool,
    shared: tenantId === null,
    onlineCount: runners.filter((runner) => isRunnerOnline(runner.lastSeenAt, now)).length,
    runners: runners.map(({ lastSeenAt, ...runner }) => ({
      ...runner,
      lastSeenAt: lastSeenAt.toISOString(),
      online: isRunnerOnline(lastSeenAt, now),
    })),
  }));
}
