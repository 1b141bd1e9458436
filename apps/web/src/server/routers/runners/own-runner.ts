import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import { ownPool } from "./own-pool";
import type { RunnerInput } from "./runner-input";

/** A runner of the tenant's own pool, with the attempt it is running now (if any). */
export async function ownRunner(ctx: TenantProcedureContext, input: RunnerInput, why: string) {
  const pool = await ownPool(ctx, input.pool, why);
  const runner = await ctx.database
    .system(why)
    .runner.findUnique({
      where: { poolId_name: { poolId: pool.id, name: input.runner } },
      select: { id: true, name: true, status: true, attempts: { where: { status: { in: ["ASSIGNED", "RUNNING"] } }, select: { id: true, jobRunId: true } } },
    });
  if (!runner) throw new TRPCError({ code: "NOT_FOUND", message: `Runner pool '${pool.name}' has no runner named '${input.runner}'.` });
  return { pool, runner };
}
