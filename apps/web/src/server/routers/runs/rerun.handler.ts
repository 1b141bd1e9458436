import { AUDIT_ACTIONS, recordAudit } from "@gantry/db";
import { rerun, RerunRefused, type RerunRefusal } from "@gantry/engine";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { RerunRunInput } from "./rerun.schema";

const CODE: Record<RerunRefusal, "NOT_FOUND" | "CONFLICT" | "BAD_REQUEST"> = {
  NOT_FOUND: "NOT_FOUND",
  ACTIVE: "CONFLICT",
  UNKNOWN_JOB: "NOT_FOUND",
  NOTHING_TO_RERUN: "CONFLICT",
  NOT_APPROVED: "CONFLICT",
};

/**
 * Re-runs an ended run as its next attempt (docs/runs.md), like cancel: Postgres changes here, at once, through the
 * engine's re-run (which jobs, then one conditional transition on the run attempt), the re-run jobs' GitHub checks
 * are asked to go back to queued, and the worker is asked to start the run again (concurrency admission, advance).
 * A second click for the same attempt changes nothing (`rerun: false`); an active run is a CONFLICT.
 */
export async function rerunRunHandler({ ctx, input }: { ctx: TenantProcedureContext; input: RerunRunInput }) {
  const tenantCtx = { tenantId: ctx.tenant.id, actor: { kind: "USER" as const, id: ctx.session.userId } };
  let result;
  try {
    result = await rerun(ctx.database, tenantCtx, input.runId, { mode: input.mode, ...(input.jobKey ? { jobKey: input.jobKey } : {}), actor: ctx.session.email }, { notify: ctx.queues });
  } catch (error) {
    if (error instanceof RerunRefused) throw new TRPCError({ code: CODE[error.code], message: error.message });
    throw error;
  }
  if (result.rerun) {
    await recordAudit(ctx.database, {
      tenantId: ctx.tenant.id,
      actor: { kind: "USER", id: ctx.session.userId },
      action: AUDIT_ACTIONS.runRerun,
      target: { type: "WorkflowRun", id: result.runId },
      details: { mode: input.mode, ...(input.jobKey ? { jobKey: input.jobKey } : {}), runAttempt: result.runAttempt, jobs: result.jobIds.length },
    });
    await ctx.queues.add("advance-run", { tenantId: ctx.tenant.id, runId: result.runId, start: true }, `start-${result.runId}-attempt-${result.runAttempt}`);
  }
  return { runId: result.runId, rerun: result.rerun, runAttempt: result.runAttempt, jobs: result.jobIds.length };
}
