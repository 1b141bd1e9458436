import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client";

/** The raw client: only packages/db sees it; apps get tenant-scoped or explicitly system access (database.ts). */
export function createPrismaClient(databaseUrl: string, poolSize = 10) {
  return createClients(databaseUrl, poolSize).prisma;
}

/** Prisma and plain SQL over one connection pool (the pool is Prisma's driver adapter's). */
export function createClients(databaseUrl: string, poolSize = 10) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  // An idle connection that Postgres closes (a restart, a dropped test database) is emitted on the pool; pg asks
  // for a handler, and the pool replaces the connection on next use, so there is nothing else to do here.
  pool.on("error", () => undefined);
  return { prisma: new PrismaClient({ adapter: new PrismaPg(pool) }), pool };
}

export type RawPrismaClient = ReturnType<typeof createPrismaClient>;

/** Plain parameterised SQL, for the few hot paths where Prisma's query compiler costs more than the query. */
export interface SqlClient {
  query<R extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}
