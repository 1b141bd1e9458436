import { AUDIT_ACTIONS, recordAudit, type AuditAction } from "@gantry/db";
import { approveRun, ForkApprovalRefused, rejectRun, type ForkApprovalRefusal, type ForkDecision } from "@gantry/engine";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { ForkDecisionInput } from "./fork-approval.schema";

const CODE: Record<ForkApprovalRefusal, "NOT_FOUND" | "CONFLICT"> = { NOT_FOUND: "NOT_FOUND", NOT_HELD: "CONFLICT", DECIDED: "CONFLICT" };

type Decide = typeof approveRun;

/** One decision through the engine, audited once when it changed something; a refusal becomes the tRPC error. */
async function decide(ctx: TenantProcedureContext, input: ForkDecisionInput, engineDecision: Decide, action: AuditAction): Promise<ForkDecision> {
  const tenantCtx = { tenantId: ctx.tenant.id, actor: { kind: "USER" as const, id: ctx.session.userId } };
  let result: ForkDecision;
  try {
    result = await engineDecision(ctx.database, tenantCtx, input.runId, { userId: ctx.session.userId, label: ctx.session.email }, { notify: ctx.queues });
  } catch (error) {
    if (error instanceof ForkApprovalRefused) throw new TRPCError({ code: CODE[error.code], message: error.message });
    throw error;
  }
  if (result.changed) {
    const run = await ctx.db.workflowRun.findUniqueOrThrow({ where: { id: input.runId }, select: { approvalRequired: true, event: true, ref: true, runNumber: true } });
    await recordAudit(ctx.database, {
      tenantId: ctx.tenant.id,
      actor: { kind: "USER", id: ctx.session.userId },
      action,
      target: { type: "WorkflowRun", id: input.runId },
      details: { runNumber: run.runNumber, event: run.event, ref: run.ref, heldBecause: run.approvalRequired ?? "" },
    });
  }
  return result;
}

/**
 * Approves a fork's pull request run held by the tenant's policy (maintainer and above): Postgres changes here, at
 * once (WAITING → QUEUED, once), its GitHub checks are asked to go back to queued, and the worker is asked to start it
 * like a new run. A second approval changes nothing (`approved: false`); a run that was never held, or was cancelled
 * while it waited, is a CONFLICT.
 */
export async function approveForkRunHandler({ ctx, input }: { ctx: TenantProcedureContext; input: ForkDecisionInput }) {
  const result = await decide(ctx, input, approveRun, AUDIT_ACTIONS.runApproved);
  if (result.changed) await ctx.queues.add("advance-run", { tenantId: ctx.tenant.id, runId: result.runId, start: true }, `start-${result.runId}-approved`);
  return { runId: result.runId, approved: result.changed };
}

/**
 * Declines a held run (maintainer and above): it is cancelled with the decision as its reason, its GitHub checks end
 * cancelled. Declining it again changes nothing (`rejected: false`); one already approved is a CONFLICT (cancel it
 * like any run).
 */
export async function rejectForkRunHandler({ ctx, input }: { ctx: TenantProcedureContext; input: ForkDecisionInput }) {
  const result = await decide(ctx, input, rejectRun, AUDIT_ACTIONS.runRejected);
  return { runId: result.runId, rejected: result.changed };
}
