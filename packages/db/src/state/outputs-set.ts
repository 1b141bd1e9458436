// A job's outputs written by the transition that ends it (an attempt's or the job's), not by a statement after it:
// one round trip less per completion while the transaction holds the job's row (bench fanout).
import { Prisma } from "../generated/prisma/client";

export function outputsSet(outputs: Record<string, string> | undefined): Prisma.Sql[] {
  return outputs === undefined ? [] : [Prisma.sql`"outputs" = ${JSON.stringify(outputs)}::jsonb`];
}
