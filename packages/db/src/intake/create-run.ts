// Turns a compiled plan (or the errors that stopped it) into a WorkflowRun with its JobRuns, in one
// transaction. The run id derives from the idempotency key, so the same event for the same repository,
// commit and workflow makes one run however often it arrives.
import type { Prisma } from "../generated/prisma/client";
import type { RawPrismaClient } from "../client";
import { jobRunId, runId as makeRunId } from "../ids";
import type { TenantContext } from "../tenant-scope";
import { diagnosticsColumn, type WorkflowDiagnostic } from "./workflow-diagnostics";

/** The slice of a compiled plan's job that the database keeps in columns (the whole plan is kept as JSON). */
export interface PlannedJobRow {
  key: string;
  jobId: string;
  name: string;
  matrix?: Record<string, unknown>;
  needs: string[];
  runsOn: string[];
  timeoutMinutes: number | string;
  continueOnError: boolean | string;
  retry: { maxAttempts: number };
  /** Read back from the stored plan by the orchestrator (everything else the compiler planned rides along too). */
  if?: string;
  concurrency?: { group: string; cancelInProgress: boolean | string };
  environment?: { name: string; url?: string };
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  steps?: unknown[];
  /** A call of a local reusable workflow: the job runs nothing itself (see state/reusable-calls.ts). */
  uses?: string;
  /** A job of a called workflow: its caller's key. */
  calledBy?: string;
}

export interface NewRun {
  repositoryId: string;
  /** e.g. `push:<repositoryId>:<sha>:<workflow path>` */
  idempotencyKey: string;
  workflowPath: string;
  workflowName: string;
  event: string;
  ref: string;
  sha: string;
  /** A pull request run on its merge commit: the head commit its check runs go on (omitted: `sha`). */
  headSha?: string;
  trusted: boolean;
  triggeredBy?: string;
  /** The stored delivery that started the run; its payload is the run's `github.event`. */
  deliveryId?: string;
  /** workflow_dispatch: the inputs, already validated and typed against the workflow's declarations. */
  inputs?: Prisma.InputJsonObject;
  /** The validation warnings of the workflow and the workflows it calls (each names its file). */
  warnings?: readonly WorkflowDiagnostic[];
  /** The whole compiled plan, stored as JSON; its jobs become JobRun rows. */
  plan: { jobs: PlannedJobRow[] };
  /**
   * A fork's pull request run the tenant's policy holds for a maintainer's approval: why. The run is created WAITING
   * (state/fork-approvals.ts) and must not be started; approving it releases it.
   */
  approvalRequired?: string;
}

export interface InvalidRun extends Omit<NewRun, "plan" | "approvalRequired"> {
  errors: Prisma.InputJsonArray;
}

export interface CreatedRun {
  runId: string;
  created: boolean;
  runNumber: number;
  /** Jobs with no needs: ready to be scheduled (none while the run is held for approval). */
  rootJobIds: string[];
}

const DEFAULT_TIMEOUT_MINUTES = 360;

/** Plain data → Prisma JSON, through JSON itself, so whatever is stored is exactly what reads back. */
export function asJson(value: object): Prisma.InputJsonObject {
  const json: Prisma.InputJsonObject = JSON.parse(JSON.stringify(value));
  return json;
}

// A job's timeout may be an expression (`${{ matrix.t }}`) that only the runner can evaluate: keep the default
// in the column and the expression in the plan.
const timeoutOf = (value: number | string) => (typeof value === "number" && value > 0 ? Math.ceil(value) : DEFAULT_TIMEOUT_MINUTES);

/** The JobRun row of a planned job (its `needs` are plan keys; the row holds the needs' ids). */
export function jobRunRow(ctx: TenantContext, runId: string, job: PlannedJobRow): Prisma.JobRunCreateManyInput {
  return {
    id: jobRunId(runId, job.key),
    tenantId: ctx.tenantId,
    runId,
    key: job.key,
    jobId: job.jobId,
    name: job.name,
    matrix: job.matrix === undefined ? undefined : asJson(job.matrix),
    needs: job.needs.map((key) => jobRunId(runId, key)),
    poolLabels: job.runsOn,
    timeoutMinutes: timeoutOf(job.timeoutMinutes),
    continueOnError: job.continueOnError === true,
    maxAttempts: job.retry.maxAttempts,
  };
}

async function nextRunNumber(tx: Prisma.TransactionClient, repositoryId: string): Promise<number> {
  // One writer per repository at a time: the advisory lock lives until the transaction ends.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`run-number:${repositoryId}`}))`;
  const last = await tx.workflowRun.aggregate({ where: { repositoryId }, _max: { runNumber: true } });
  return (last._max.runNumber ?? 0) + 1;
}

/**
 * The shared shape of both creations: once per idempotency key (checked again after the run-number lock, so
 * two racing intakes make one run), the run row with the given extra columns, then whatever `more` adds.
 */
async function insertRunOnce(
  prisma: RawPrismaClient,
  ctx: TenantContext,
  run: Omit<NewRun, "plan">,
  columns: Pick<Prisma.WorkflowRunUncheckedCreateInput, "plan" | "errors" | "status" | "startedAt" | "finishedAt" | "approvalRequired">,
  more: (tx: Prisma.TransactionClient, id: string) => Promise<string[]>,
): Promise<CreatedRun> {
  const id = makeRunId(ctx.tenantId, run.idempotencyKey);
  const existing = (tx: Prisma.TransactionClient) =>
    tx.workflowRun.findFirst({ where: { id, tenantId: ctx.tenantId }, select: { runNumber: true } });
  return prisma.$transaction(async (tx) => {
    const found = await existing(tx);
    if (found) return { runId: id, created: false, runNumber: found.runNumber, rootJobIds: [] };
    const runNumber = await nextRunNumber(tx, run.repositoryId);
    const again = await existing(tx);
    if (again) return { runId: id, created: false, runNumber: again.runNumber, rootJobIds: [] };
    await tx.workflowRun.create({
      data: {
        id,
        tenantId: ctx.tenantId,
        repositoryId: run.repositoryId,
        idempotencyKey: run.idempotencyKey,
        workflowPath: run.workflowPath,
        workflowName: run.workflowName,
        event: run.event,
        ref: run.ref,
        sha: run.sha,
        ...(run.headSha && run.headSha !== run.sha ? { headSha: run.headSha } : {}),
        runNumber,
        trusted: run.trusted,
        triggeredBy: run.triggeredBy ?? null,
        deliveryId: run.deliveryId ?? null,
        ...(run.inputs ? { inputs: run.inputs } : {}),
        warnings: diagnosticsColumn(run.warnings),
        ...columns,
      },
    });
    return { runId: id, created: true, runNumber, rootJobIds: await more(tx, id) };
  });
}

export async function createRun(prisma: RawPrismaClient, ctx: TenantContext, run: NewRun): Promise<CreatedRun> {
  const { approvalRequired, ...rest } = run;
  const held = approvalRequired === undefined ? {} : { status: "WAITING" as const, approvalRequired };
  return insertRunOnce(prisma, ctx, rest, { plan: asJson(run.plan), ...held }, async (tx, id) => {
    await tx.jobRun.createMany({ data: run.plan.jobs.map((job) => jobRunRow(ctx, id, job)) });
    // Held in the run's own transaction: no moment exists in which the run is QUEUED and could be started.
    if (approvalRequired !== undefined) {
      await tx.stateTransition.create({
        data: { tenantId: ctx.tenantId, entity: "WorkflowRun", entityId: id, fromStatus: "QUEUED", toStatus: "WAITING", reason: `awaiting approval: ${approvalRequired}` },
      });
      return [];
    }
    return run.plan.jobs.filter((job) => job.needs.length === 0).map((job) => jobRunId(id, job.key));
  });
}

/** A workflow that failed validation still becomes a run: FAILED, with its errors kept for the UI. */
export async function createInvalidRun(prisma: RawPrismaClient, ctx: TenantContext, run: InvalidRun): Promise<CreatedRun> {
  const { errors, ...rest } = run;
  const now = new Date();
  return insertRunOnce(prisma, ctx, rest, { plan: {}, errors, status: "FAILED", startedAt: now, finishedAt: now }, async (tx, id) => {
    await tx.stateTransition.create({
      data: { tenantId: ctx.tenantId, entity: "WorkflowRun", entityId: id, fromStatus: "QUEUED", toStatus: "FAILED", reason: "invalid workflow" },
    });
    return [];
  });
}
