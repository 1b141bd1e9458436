// workflow_run: when a run is requested, starts and completes, workflows `on: workflow_run: workflows: [its name]`
// in the same repository start (docs/triggers.md). advanceRun and cancelRun — where every run change the engine
// makes ends — ask for the run's events through the `workflow-run-events` job, named by run and status so a burst
// collapses; the job records one delivery per (run, run attempt, activity type) — a re-run sends its events again,
// with its `run_attempt`, as on GitHub — source "gantry", in GitHub's payload shape, and
// queues its intake (apps/worker intake/gantry-events.ts). A recorded delivery is never recorded again, so each
// (run, type) starts its workflows once; a delivery whose intake was not queued is found by the delivery sweep.
// GitHub's loop limit: a chain holds at most WORKFLOW_RUN_CHAIN_LIMIT levels of workflow_run runs beyond the first.
import { intake, isTerminalRunStatus, type Database, type TenantContext, type WorkflowRun } from "@gantry/db";
import { triggeringRunOf, WORKFLOW_RUN_CHAIN_LIMIT, workflowRunDeliveryId, type Queues, type WorkflowRunAction } from "@gantry/jobs";

/** Asks for the run's workflow_run events up to its current state (no queues — a test of the DAG alone: nothing). */
export async function requestWorkflowRunEvents(db: Database, ctx: TenantContext, runId: string, queues: Pick<Queues, "add"> | null | undefined): Promise<void> {
  if (!queues) return;
  const run = await db.forTenant(ctx).workflowRun.findUnique({ where: { id: runId }, select: { status: true, runAttempt: true } });
  if (!run) return;
  // A re-run's attempt goes through the statuses again: its events are new ones.
  await queues.add("workflow-run-events", { tenantId: ctx.tenantId, runId }, `workflow-run-events-${runId}-${run.status}${run.runAttempt > 1 ? `-r${run.runAttempt}` : ""}`);
}

// Ended runs of the last day whose `completed` event was never recorded (a workflow-run-events job lost with Redis).
const UNRECORDED = `
  SELECT r.id, r."tenantId" FROM "WorkflowRun" r
  WHERE r."finishedAt" > now() - interval '1 day' AND r.errors IS NULL
    AND NOT EXISTS (SELECT 1 FROM "WebhookDelivery" d WHERE d."deliveryId" = 'gantry:workflow_run:' || r.id
      || CASE WHEN r."runAttempt" > 1 THEN ':attempt-' || r."runAttempt" ELSE '' END || ':completed')
  ORDER BY r."finishedAt" DESC
  LIMIT $1`;

/**
 * Postgres is the truth (DESIGN.md invariant 2): the queue reconciliation asks again for the events of ended runs
 * that have none recorded. A request BullMQ still remembers is a no-op; a run that ends a chain records nothing.
 */
export async function requestUnrecordedWorkflowRunEvents(db: Database, queues: Pick<Queues, "add">, limit = 200): Promise<number> {
  const { rows } = await db.sql("reconcile: ended runs without their workflow_run event").query<{ id: string; tenantId: string }>(UNRECORDED, [limit]);
  for (const run of rows) await requestWorkflowRunEvents(db, { tenantId: run.tenantId, actor: { kind: "SYSTEM", id: "reconcile" } }, run.id, queues);
  return rows.length;
}

/** The activity types a run in this status has reached: GitHub sends requested, in_progress, completed in turn. */
export function reachedActions(run: Pick<WorkflowRun, "status" | "startedAt">): WorkflowRunAction[] {
  const actions: WorkflowRunAction[] = ["requested"];
  if (run.status === "RUNNING" || (isTerminalRunStatus(run.status) && run.startedAt)) actions.push("in_progress");
  if (isTerminalRunStatus(run.status)) actions.push("completed");
  return actions;
}

/** How many workflow_run runs lead up to this one (0: the run was started by something else). */
export async function chainDepth(db: Database, ctx: TenantContext, run: Pick<WorkflowRun, "event" | "deliveryId">): Promise<number> {
  let depth = 0;
  let current: Pick<WorkflowRun, "event" | "deliveryId"> | null = run;
  while (current?.event === "workflow_run" && depth <= WORKFLOW_RUN_CHAIN_LIMIT) {
    depth += 1;
    const delivery: { deliveryId: string } | null = current.deliveryId
      ? await db.system("workflow_run: the delivery that started a run of the chain").webhookDelivery.findFirst({ where: { id: current.deliveryId, tenantId: ctx.tenantId }, select: { deliveryId: true } })
      : null;
    const parent: string | undefined = delivery ? triggeringRunOf(delivery.deliveryId) : undefined;
    current = parent ? await db.forTenant(ctx).workflowRun.findUnique({ where: { id: parent }, select: { event: true, deliveryId: true } }) : null;
  }
  return depth;
}

const CONCLUSIONS: Partial<Record<WorkflowRun["status"], string>> = { SUCCEEDED: "success", FAILED: "failure", CANCELED: "cancelled", TIMED_OUT: "timed_out", SKIPPED: "skipped" };
const STATUSES: Record<WorkflowRunAction, string> = { requested: "queued", in_progress: "in_progress", completed: "completed" };

function branchOf(ref: string): string | null {
  const match = /^refs\/(?:heads|tags)\/(.+)$/.exec(ref);
  return match?.[1] ?? null;
}

/** GitHub's workflow_run payload for the run at this activity type. */
export function workflowRunPayload(run: WorkflowRun, repository: { fullName: string; defaultBranch: string }, action: WorkflowRunAction) {
  const [owner = "", name = ""] = repository.fullName.split("/");
  const repo = { full_name: repository.fullName, name, owner: { login: owner }, default_branch: repository.defaultBranch };
  const actor = { login: run.triggeredBy ?? "gantry" };
  return {
    action,
    workflow_run: {
      id: run.id,
      name: run.workflowName,
      display_title: run.workflowName,
      path: run.workflowPath,
      head_branch: branchOf(run.ref),
      head_sha: run.sha,
      event: run.event,
      status: STATUSES[action],
      conclusion: action === "completed" ? (CONCLUSIONS[run.status] ?? null) : null,
      run_number: run.runNumber,
      run_attempt: run.runAttempt,
      created_at: run.createdAt.toISOString(),
      updated_at: (run.finishedAt ?? run.startedAt ?? run.createdAt).toISOString(),
      run_started_at: (run.startedAt ?? run.createdAt).toISOString(),
      actor,
      triggering_actor: actor,
      repository: repo,
      head_repository: repo,
    },
    workflow: { name: run.workflowName, path: run.workflowPath },
    repository: repo,
    sender: actor,
  };
}

export interface RecordedEvents {
  recorded: WorkflowRunAction[];
  reason?: string;
}

/** The `workflow-run-events` job: records the run's due workflow_run deliveries and queues their intake. */
export async function recordWorkflowRunEvents(db: Database, queues: Pick<Queues, "add">, ctx: TenantContext, runId: string): Promise<RecordedEvents> {
  const run = await db.forTenant(ctx).workflowRun.findUnique({ where: { id: runId }, include: { repository: { select: { fullName: true, defaultBranch: true } } } });
  if (!run) return { recorded: [], reason: `run ${runId} does not exist` };
  if ((await chainDepth(db, ctx, run)) >= WORKFLOW_RUN_CHAIN_LIMIT) {
    return { recorded: [], reason: `run ${runId} ends a chain of ${WORKFLOW_RUN_CHAIN_LIMIT} workflow_run runs (GitHub's limit)` };
  }
  const recorded: WorkflowRunAction[] = [];
  for (const action of reachedActions(run)) {
    const stored = await intake.recordDelivery(db.sql("workflow_run: record the event"), {
      deliveryId: workflowRunDeliveryId(run.id, action, run.runAttempt),
      source: "gantry",
      event: "workflow_run",
      action,
      tenantId: run.tenantId,
      repositoryId: run.repositoryId,
      payload: workflowRunPayload(run, run.repository, action),
    });
    if (stored.duplicate) continue;
    recorded.push(action);
    await queues.add("intake", { deliveryId: stored.id }, `intake-${stored.id}`);
  }
  return { recorded };
}
