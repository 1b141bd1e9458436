import { createClients, type RawPrismaClient, type SqlClient } from "./client";
import { tenantClient, type TenantClient, type TenantContext } from "./tenant-scope";

export interface Database {
  /** Queries that can only see and write ctx.tenantId's rows. */
  forTenant(ctx: TenantContext): TenantClient;
  /**
   * Cross-tenant access for the control plane's own work (scheduler, reaper, sign-in, intake before the
   * tenant is known). The reason makes each use greppable and reviewable.
   */
  system(reason: string): RawPrismaClient;
  /**
   * Plain SQL on the same pool, system-level like system(): only for hot paths measured to need it (the
   * webhook endpoint: bench/intake.ts; the runner's job-token lookup and log chunks: bench/log-latency.ts), and
   * only through functions in packages/db that own the statement.
   */
  sql(reason: string): SqlClient;
  /** Round-trip to Postgres; throws with a clear message when it does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function openDatabase(databaseUrl: string, options: { poolSize?: number } = {}): Database {
  const { prisma, pool } = createClients(databaseUrl, options.poolSize);
  const needReason = (reason: string) => {
    if (!reason.trim()) throw new Error("db.system(reason) and db.sql(reason) need a reason");
  };
  return {
    forTenant: (ctx) => tenantClient(prisma, ctx),
    system: (reason) => {
      needReason(reason);
      return prisma;
    },
    sql: (reason) => {
      needReason(reason);
      return pool;
    },
    ping: async () => {
      try {
        await prisma.$queryRaw`SELECT 1`;
      } catch (error) {
        throw new Error(`Postgres did not answer: ${describeDatabaseError(error)}`, { cause: error });
      }
    },
    close: async () => {
      await prisma.$disconnect();
      // The pool is ours (handed to the adapter), so ending it is ours too; a second close is harmless.
      if (!pool.ended) await pool.end();
    },
  };
}

/**
 * The readable part of a driver error: Prisma wraps connection failures in "Invalid `prisma.$queryRaw()`
 * invocation: …", while the useful part is the driver's code or last message line.
 */
export function describeDatabaseError(error: unknown): string {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== "object") break;
    const code = "code" in current ? String(current.code) : "";
    if (code === "ECONNREFUSED") return "connection refused (is Postgres running, and is DATABASE_URL's host:port right?)";
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "the host in DATABASE_URL is not known";
    if (code === "3D000") return "the database in DATABASE_URL does not exist";
    if (code === "28P01" || code === "28000") return "Postgres refused the credentials in DATABASE_URL";
    current = "cause" in current ? current.cause : undefined;
  }
  const message = error instanceof Error ? error.message : String(error);
  const inner = /Message: `([^`\n]+)/.exec(message)?.[1]?.trim();
  if (inner?.startsWith("Can't reach database server")) return `${inner} (is Postgres running, and is DATABASE_URL's host:port right?)`;
  if (inner) return inner;
  const lines = message.split("\n").map((line) => line.trim()).filter(Boolean);
  return (lines.at(-1) ?? message).replace(/^Message:\s*/, "").replace(/^`|`$/g, "");
}
