// A maintainer's decision on a fork's pull request run held for approval (the tenant's APPROVE_FIRST_TIME policy,
// docs/github.md "Pull requests from forks"). Approving is one conditional transition (WAITING → QUEUED, once:
// transitions.approveHeldRun), after which the caller starts the run as intake starts any other (an advance-run
// `start`; Engine.approve does it in-process), and the jobs' GitHub checks go from "action required" back to queued.
// Declining is a cancel conditional on the run still being held (transitions.cancelHeldRun), so an approval and a
// cancel racing each other cannot both happen. A repeated decision changes nothing.
import { isTerminalRunStatus, transitions, type Database, type TenantContext } from "@gantry/db";
import { requestCheckReports } from "@gantry/jobs";
import { requestRunCheckReports } from "./check-reports";
import type { RunHooks } from "./hooks";
import { requestWorkflowRunEvents } from "./workflow-run-events";

export type ForkApprovalRefusal = "NOT_FOUND" | "NOT_HELD" | "DECIDED";

/** A decision that cannot be taken, with why in the message. */
export class ForkApprovalRefused extends Error {
  constructor(
    readonly code: ForkApprovalRefusal,
    message: string,
  ) {
    super(message);
    this.name = "ForkApprovalRefused";
  }
}

export interface Decider {
  userId: string;
  /** How the decider appears in the run's history (an email). */
  label: string;
}

export interface ForkDecision {
  runId: string;
  /** false: the same decision was taken before (a double click, a second tab); nothing changed. */
  changed: boolean;
}

async function heldRun(db: Database, ctx: TenantContext, runId: string) {
  const run = await db.forTenant(ctx).workflowRun.findUnique({
    where: { id: runId },
    select: { id: true, runNumber: true, status: true, approvalRequired: true, approvedAt: true, jobs: { select: { id: true, attempt: true, runAttempt: true } }, repository: { select: { installationId: true } } },
  });
  if (!run) throw new ForkApprovalRefused("NOT_FOUND", `Run ${runId} does not exist.`);
  if (run.approvalRequired === null) throw new ForkApprovalRefused("NOT_HELD", `Run #${run.runNumber} does not wait for approval: only a fork's pull request run held by the tenant's policy does.`);
  return run;
}

/**
 * Approves a held run: WAITING → QUEUED, recording who. The caller then starts it (advance-run `start`). Approving
 * one already approved is a no-op (`changed: false`); one cancelled while it waited is refused.
 */
export async function approveRun(db: Database, ctx: TenantContext, runId: string, decider: Decider, hooks: RunHooks = {}): Promise<ForkDecision> {
  const run = await heldRun(db, ctx, runId);
  const moved = await transitions.approveHeldRun(db.system("approve a fork's run"), ctx, runId, decider);
  if (!moved.changed) {
    const now = await db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: runId }, select: { status: true, approvedAt: true } });
    if (now.approvedAt !== null) return { runId, changed: false };
    throw new ForkApprovalRefused("DECIDED", `Run #${run.runNumber} was ${now.status.toLowerCase()} without being approved: a new push to the pull request makes a new run to approve.`);
  }
  // Its checks said "action required" (intake's report of a held run): they go back to queued, as for a re-run.
  if (hooks.notify && run.repository.installationId !== null) {
    await requestCheckReports(hooks.notify, ctx.tenantId, run.jobs.map((job) => ({ id: job.id, status: "QUEUED", attempt: job.attempt, runAttempt: job.runAttempt })));
  }
  return { runId, changed: true };
}

/**
 * Cancels a held run (a maintainer declines to run it). Cancelling one already ended is a no-op (`changed: false`);
 * one already approved is refused (it is an ordinary run now: cancel it as one).
 */
export async function rejectRun(db: Database, ctx: TenantContext, runId: string, decider: Decider, hooks: RunHooks = {}): Promise<ForkDecision> {
  const run = await heldRun(db, ctx, runId);
  if (await cancelHeld(db, ctx, runId, `not approved: cancelled by ${decider.label}`, hooks)) return { runId, changed: true };
  const now = await db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: runId }, select: { status: true, approvedAt: true } });
  if (now.approvedAt === null && isTerminalRunStatus(now.status)) return { runId, changed: false };
  throw new ForkApprovalRefused("DECIDED", `Run #${run.runNumber} was approved already: cancel it like any other run.`);
}

/**
 * Cancels a run still held for approval (declined, or expired), then tells GitHub (its checks: cancelled) and
 * `workflow_run` listeners, as cancelRun does; false when it was not held any more. It never started, so it holds
 * no concurrency group to release.
 */
export async function cancelHeld(db: Database, ctx: TenantContext, runId: string, reason: string, hooks: RunHooks = {}): Promise<boolean> {
  const { changed } = await transitions.cancelHeldRun(db.system("cancel a fork's run held for approval"), ctx, runId, reason);
  if (!changed) return false;
  await requestRunCheckReports(db, ctx, runId, hooks.notify);
  await requestWorkflowRunEvents(db, ctx, runId, hooks.notify);
  return true;
}
