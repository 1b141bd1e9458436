// The safety net under every enqueue, release and advance: runs with nothing in flight are advanced (an
// advance-run job lost with Redis would otherwise leave them stuck), jobs that outlived their run are cancelled,
// ready jobs that never reached a queue are enqueued, fork runs held for approval past their time are cancelled, then
// every pool is rebuilt from Postgres. After a FLUSHALL
// this is what restores the queues.
import { ACTIVE_RUN_STATUSES, TERMINAL_RUN_STATUSES, transitions, type Database } from "@gantry/db";
import type { Queues } from "@gantry/jobs";
import type { FairScheduler } from "@gantry/scheduler";
import { rebuildPools } from "../dispatch/rebuild-pools";
import { systemClock } from "../clock";
import { advanceRun, type AdvanceOptions } from "../run/advance-run";
import { requestUnrecordedWorkflowRunEvents } from "../run/workflow-run-events";
import type { ReadyHandler } from "./ready-handler";
import type { HeldHandler } from "./environment-gates";
import { expireHeldRuns } from "./expire-held-runs";

export async function reconcileQueues(db: Database, scheduler: FairScheduler, ready: ReadyHandler, held?: HeldHandler, notify?: Pick<Queues, "add"> | null, options: Pick<AdvanceOptions, "github" | "clock"> = {}) {
  const stalled = await db.system("reconcile: active runs with nothing in flight").workflowRun.findMany({
    // A RUNNING job without an attempt is a call of a reusable workflow: only its called jobs are in flight.
    where: { status: { in: ["QUEUED", "RUNNING"] }, jobs: { none: { OR: [{ status: "WAITING" }, { status: "RUNNING", attempt: { gt: 0 } }] } } },
    select: { id: true, tenantId: true },
    take: 1000,
  });
  for (const run of stalled) {
    const ctx = { tenantId: run.tenantId, actor: { kind: "SYSTEM" as const, id: "reconcile" } };
    const result = await advanceRun(db, ctx, run.id, { ...options, onReady: (ids) => ready(ctx, ids), notify });
    // Runs whose jobs wait at an environment gate come here every pass: their gate timers are set again.
    if (held && result.held.length > 0) await held(ctx, run.id, result.held);
  }
  // A job added while its run was being cancelled (a call's jobs, a matrix's cells) can outlive the run: it ends too.
  const outlived = await db.system("reconcile: live jobs of ended runs").jobRun.findMany({
    where: { status: { in: [...ACTIVE_RUN_STATUSES] }, run: { status: { in: [...TERMINAL_RUN_STATUSES] } } },
    select: { id: true, tenantId: true },
    take: 1000,
  });
  for (const job of outlived) await transitions.cancelJob(db.system("reconcile: a job outlived its run"), { tenantId: job.tenantId, actor: { kind: "SYSTEM", id: "reconcile" } }, job.id, "its run had ended");
  const unplaced = await db.system("reconcile: ready jobs without a pool").jobRun.findMany({
    where: { status: "WAITING", heldByConcurrency: false, poolId: null },
    select: { id: true, tenantId: true },
  });
  const byTenant = new Map<string, string[]>();
  for (const job of unplaced) byTenant.set(job.tenantId, [...(byTenant.get(job.tenantId) ?? []), job.id]);
  for (const [tenantId, jobIds] of byTenant) await ready({ tenantId, actor: { kind: "SYSTEM", id: "reconcile" } }, jobIds);
  if (notify) await requestUnrecordedWorkflowRunEvents(db, notify);
  // Fork runs held for approval that nobody decided on in time are cancelled (expire-held-runs.ts).
  const expired = await expireHeldRuns(db, { notify, ...(options.clock ? { clock: options.clock } : {}) });
  return { advanced: stalled.length, ended: outlived.length, placed: unplaced.length, expired, ...(await rebuildPools(db, scheduler, (options.clock ?? systemClock).now())) };
}
