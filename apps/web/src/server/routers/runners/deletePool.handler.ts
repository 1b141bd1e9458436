import { AUDIT_ACTIONS, recordAudit } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { DeletePoolInput } from "./deletePool.schema";
import { ownPool } from "./own-pool";
import { statusWord } from "@gantry/workflow-schema/status-words";

/** Jobs a pool still owes: placed on it and not finished. */
const UNFINISHED = ["QUEUED", "WAITING", "RUNNING"] as const;

/**
 * Deletes one of the tenant's own pools with its runners (their credentials stop working). Refused while a job
 * is queued on it or running on it: cancel those runs, or wait for them, first.
 */
export async function deletePoolHandler({ ctx, input }: { ctx: TenantProcedureContext; input: DeletePoolInput }) {
  const pool = await ownPool(ctx, input.pool, "tRPC runners.deletePool: the tenant's own pool");
  const sys = ctx.database.system("tRPC runners.deletePool: jobs still on the pool");
  const owed = await sys.jobRun.groupBy({ by: ["status"], where: { poolId: pool.id, status: { in: [...UNFINISHED] } }, _count: { _all: true } });
  if (owed.length > 0) {
    const counts = owed.map((group) => `${group._count._all} ${statusWord("job", group.status).word}`).join(", ");
    throw new TRPCError({ code: "PRECONDITION_FAILED", message: `Runner pool '${pool.name}' still has jobs on it (${counts}); cancel those runs or let them finish, then delete the pool.` });
  }
  const runners = await sys.runner.count({ where: { poolId: pool.id } });
  await sys.runnerPool.delete({ where: { id: pool.id } });
  await recordAudit(ctx.database, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId }, action: AUDIT_ACTIONS.poolDeleted, target: { type: "RunnerPool", id: pool.id }, details: { pool: pool.name, runners } });
  return { pool: { id: pool.id, name: pool.name }, runnersRemoved: runners };
}
