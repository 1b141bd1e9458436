import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";

/** The raw client: only packages/db sees it; apps get tenant-scoped or explicitly system access (database.ts). */
export function createPrismaClient(databaseUrl: string, poolSize = 10) {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }) });
}

export type RawPrismaClient = ReturnType<typeof createPrismaClient>;
