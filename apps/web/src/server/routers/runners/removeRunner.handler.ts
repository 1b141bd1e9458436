import { AUDIT_ACTIONS, recordAudit } from "@gantry/db";
import type { TenantProcedureContext } from "../../trpc";
import { ownRunner } from "./own-runner";
import type { RemoveRunnerInput } from "./removeRunner.schema";

/**
 * Removes a runner: its row and so its credential are gone, its next claim is refused. An attempt it was running
 * keeps its job token until its lease expires, and the reaper then retries it like any lost attempt.
 */
export async function removeRunnerHandler({ ctx, input }: { ctx: TenantProcedureContext; input: RemoveRunnerInput }) {
  const { pool, runner } = await ownRunner(ctx, input, "tRPC runners.removeRunner: a runner of the tenant's own pool");
  await ctx.database.system("tRPC runners.removeRunner: delete it").runner.delete({ where: { id: runner.id } });
  await recordAudit(ctx.database, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId }, action: AUDIT_ACTIONS.runnerRemoved, target: { type: "Runner", id: runner.id }, details: { pool: pool.name, runner: runner.name, runningAttempts: runner.attempts.map((attempt) => attempt.id) } });
  return { runner: { id: runner.id, name: runner.name }, leftToLeaseExpiry: runner.attempts.length };
}
