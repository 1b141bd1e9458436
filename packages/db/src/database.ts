import { createPrismaClient, type RawPrismaClient } from "./client";
import { tenantClient, type TenantClient, type TenantContext } from "./tenant-scope";

export interface Database {
  /** Queries that can only see and write ctx.tenantId's rows. */
  forTenant(ctx: TenantContext): TenantClient;
  /**
   * Cross-tenant access for the control plane's own work (scheduler, reaper, sign-in, intake before the
   * tenant is known). The reason makes each use greppable and reviewable.
   */
  system(reason: string): RawPrismaClient;
  /** Round-trip to Postgres; throws with a clear message when it does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function openDatabase(databaseUrl: string, options: { poolSize?: number } = {}): Database {
  const prisma = createPrismaClient(databaseUrl, options.poolSize);
  return {
    forTenant: (ctx) => tenantClient(prisma, ctx),
    system: (reason) => {
      if (!reason.trim()) throw new Error("db.system(reason) needs a reason");
      return prisma;
    },
    ping: async () => {
      await prisma.$queryRaw`SELECT 1`;
    },
    close: () => prisma.$disconnect(),
  };
}
