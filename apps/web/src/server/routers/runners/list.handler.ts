import { POOL_LIMIT_COLUMNS, poolLimitsOf, poolsUsableBy } from "@gantry/db";
import { isRunnerOnline } from "../../runners";
import type { TenantProcedureContext } from "../../trpc";
import type { ListRunnersInput } from "./list.schema";

/** The pools that serve this tenant (its own and the shared ones opened to it), each with its runners and their status. */
export async function listRunnersHandler({ ctx }: { ctx: TenantProcedureContext; input: ListRunnersInput }) {
  const now = ctx.now();
  // Pools and runners are not tenant-owned rows (a shared pool serves several tenants), so this reads them through
  // the system client with an explicit filter: the tenant's pools and the shared ones opened to it, nothing else.
  const pools = await ctx.database
    .system("tRPC runners.list: pools visible to the tenant")
    .runnerPool.findMany({
      where: poolsUsableBy(ctx.tenant.id),
      orderBy: { name: "asc" },
      select: {
        id: true,
        tenantId: true,
        name: true,
        shared: true,
        tenants: { where: { tenantId: ctx.tenant.id }, select: { secrets: true } },
        labels: true,
        provider: true,
        egress: true,
        egressAllowlist: true,
        ...POOL_LIMIT_COLUMNS,
        runners: {
          orderBy: { name: "asc" },
          select: {
            id: true,
            name: true,
            status: true,
            version: true,
            capacity: true,
            providers: true,
            lastSeenAt: true,
            attempts: { where: { status: { in: ["ASSIGNED", "RUNNING"] } }, select: { tenantId: true, job: { select: { name: true, runId: true } } } },
          },
        },
      },
    });
  return pools.map(({ tenantId, tenants, runners, cpus, memoryBytes, pids, diskBytes, fileSizeBytes, maxTimeoutMinutes, ...pool }) => ({
    ...pool,
    // What every job of the pool runs under (byte counts as numbers: they cross tRPC as JSON).
    limits: poolLimitsOf({ cpus, memoryBytes, pids, diskBytes, fileSizeBytes, maxTimeoutMinutes }),
    // Whether this tenant's secrets may reach the pool's runners: always for its own pools (docs/secrets.md).
    receivesSecrets: !pool.shared || tenants[0]?.secrets === true,
    onlineCount: runners.filter((runner) => isRunnerOnline(runner.lastSeenAt, now)).length,
    // Only the tenant's own pools are its to change; a shared pool is its operator's.
    own: tenantId === ctx.tenant.id && !pool.shared,
    runners: runners.map(({ lastSeenAt, attempts, ...runner }) => ({
      ...runner,
      // The jobs it runs now; another tenant's job on a shared pool is counted, never named.
      busyWith: attempts.map((attempt) => (attempt.tenantId === ctx.tenant.id ? { job: attempt.job.name, runId: attempt.job.runId } : { job: null, runId: null })),
      lastSeenAt: lastSeenAt.toISOString(),
      online: isRunnerOnline(lastSeenAt, now),
    })),
  }));
}
