// A matrix's controls, as GitHub applies them: `strategy.max-parallel` caps how many of its cells hold a runner
// (WAITING or RUNNING) at once, `strategy.fail-fast` (default true) cancels the cells not yet ended when one
// fails, and a job's `continue-on-error` written as an expression is decided when the job becomes ready.
import { ACTIVE_RUN_STATUSES, transitions, type Database, type JobRun, type Prisma, type RawPrismaClient, type TenantContext } from "@gantry/db";
import type { StrategyFacts } from "@gantry/runner-protocol";
import { evaluateExpression } from "@gantry/workflow-schema";
import { cancelCalledJobs } from "./cancel-called-jobs";
import { isTruthy } from "./job-condition";
import { resultOf } from "../contexts/conclusions";

type Tx = Prisma.TransactionClient;

/** The matrix a cell belongs to: its run, its workflow job id and calling job, and the keys of all its cells. */
export interface MatrixOf {
  runId: string;
  jobId: string;
  calledBy: string | undefined;
  cellKeys: string[];
}

/**
 * A cell holds one of its matrix's max-parallel places while WAITING or RUNNING. A cell held by its concurrency
 * group counts too: only QUEUED → WAITING raises the count, and it happens under this lock, so the count can
 * never pass the cap, whatever releases a group in between.
 */
const OCCUPYING = ["WAITING", "RUNNING"] as const;

async function lockMatrix(tx: Tx, ctx: TenantContext, matrix: MatrixOf): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`matrix:${ctx.tenantId}:${matrix.runId}:${matrix.calledBy ?? ""}:${matrix.jobId}`}))`;
}

export type MaxParallelAdmission<T> = { admitted: true; value: T } | { admitted: false; reason: string };

/**
 * Lets one cell of a capped matrix through, or not: under a transaction-scoped advisory lock on the matrix, counts
 * its cells that hold a place; below the cap, `admit` (the cell's QUEUED → WAITING, with the reason given) runs in
 * the same transaction. Two advancers deciding two cells at once take turns, so at most `maxParallel` get through.
 */
export async function admitUnderMaxParallel<T>(
  sys: RawPrismaClient,
  ctx: TenantContext,
  matrix: MatrixOf,
  maxParallel: number,
  admit: (tx: Tx, reason: string) => Promise<T>,
): Promise<MaxParallelAdmission<T>> {
  return sys.$transaction(async (tx) => {
    await lockMatrix(tx, ctx, matrix);
    const active = await tx.jobRun.count({ where: { tenantId: ctx.tenantId, runId: matrix.runId, key: { in: matrix.cellKeys }, status: { in: [...OCCUPYING] } } });
    if (active >= maxParallel) return { admitted: false, reason: maxParallelReason(active, maxParallel) };
    return { admitted: true, value: await admit(tx, `needs met (max-parallel ${maxParallel}: ${active + 1} of the matrix's cells active)`) };
  });
}

/** Why a ready cell stays QUEUED: what the run page and "why is it waiting" say. */
export function maxParallelReason(active: number, maxParallel: number): string {
  return `waiting for max-parallel: ${active} of ${maxParallel} of the matrix's cells are active`;
}

/** Whether this ended cell's failure cancels its matrix: it failed (continue-on-error not set) and fail-fast is on. */
export function triggersFailFast(cell: Pick<JobRun, "status" | "continueOnError">, strategy: Pick<StrategyFacts, "failFast"> | null): boolean {
  if (!strategy?.failFast) return false;
  return (cell.status === "FAILED" || cell.status === "TIMED_OUT") && resultOf(cell) === "failure";
}

/**
 * Fail-fast: cancels the failed cell's siblings that have not ended (QUEUED, WAITING or RUNNING; a running one
 * learns it from its next heartbeat, a waiting one is passed over by the claim) and the jobs they called.
 * Returns the ids it cancelled; a second call cancels nothing.
 */
export async function cancelMatrixSiblings(db: Database, ctx: TenantContext, failed: Pick<JobRun, "id" | "key">, siblings: Pick<JobRun, "id" | "status">[]): Promise<string[]> {
  const sys = db.system("fail-fast: cancel a matrix's cells");
  const reason = `cancelled by fail-fast: ${failed.key} failed`;
  const cancelled: string[] = [];
  for (const cell of siblings) {
    if (cell.id === failed.id || !(ACTIVE_RUN_STATUSES as readonly string[]).includes(cell.status)) continue;
    if (!(await transitions.cancelJob(sys, ctx, cell.id, reason)).changed) continue;
    await cancelCalledJobs(db, ctx, cell.id, reason);
    cancelled.push(cell.id);
  }
  return cancelled;
}

/**
 * A job's `continue-on-error` as a boolean: a literal is itself; an expression (`${{ inputs.allow-failure }}`;
 * matrix-only ones were already substituted when the plan was compiled) is evaluated with the job's contexts,
 * and the words `true` / `false` read as those booleans, as GitHub coerces them.
 */
export function evaluateContinueOnError(value: boolean | string, contexts: Record<string, unknown>): { ok: true; value: boolean } | { ok: false; error: string } {
  if (typeof value === "boolean") return { ok: true, value };
  const result = evaluateExpression(value, contexts);
  if (!result.ok) return result;
  if (typeof result.value === "string" && /^(true|false)$/i.test(result.value.trim())) return { ok: true, value: result.value.trim().toLowerCase() === "true" };
  return { ok: true, value: isTruthy(result.value) };
}
