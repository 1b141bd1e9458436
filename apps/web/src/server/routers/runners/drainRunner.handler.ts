import { AUDIT_ACTIONS, recordAudit } from "@gantry/db";
import type { TenantProcedureContext } from "../../trpc";
import type { DrainRunnerInput } from "./drainRunner.schema";
import { ownRunner } from "./own-runner";

/**
 * Drains a runner: it finishes the job it runs (its heartbeats and completion use the job's token) and the claim
 * route gives it nothing new (docs/scheduling.md "Draining a runner"). It stays drained across restarts; remove it
 * to retire it.
 */
export async function drainRunnerHandler({ ctx, input }: { ctx: TenantProcedureContext; input: DrainRunnerInput }) {
  const { pool, runner } = await ownRunner(ctx, input, "tRPC runners.drainRunner: a runner of the tenant's own pool");
  await ctx.database.system("tRPC runners.drainRunner: mark it draining").runner.update({ where: { id: runner.id }, data: { status: "DRAINING" } });
  await recordAudit(ctx.database, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId }, action: AUDIT_ACTIONS.runnerDrained, target: { type: "Runner", id: runner.id }, details: { pool: pool.name, runner: runner.name, runningJobs: runner.attempts.length } });
  return { runner: { id: runner.id, name: runner.name, status: "DRAINING" as const }, runningJobs: runner.attempts.length };
}
