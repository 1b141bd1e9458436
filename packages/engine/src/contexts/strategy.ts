// A matrix cell's place in its matrix and the matrix's strategy: `strategy.job-index` / `job-total`, and the
// evaluated `fail-fast` (default true) and `max-parallel` (absent: no cap). The engine applies fail-fast and
// max-parallel with these, and the claim sends the same values as the `strategy` context.
import type { StrategyFacts } from "@gantry/runner-protocol";
import { evaluateExpression } from "@gantry/workflow-schema";
import type { StoredJob, StoredPlan } from "../plan/read-plan";
import { isTruthy } from "./truthy";

/** The cells of the matrix this planned job is a cell of (itself included), in expansion order; [] when not one. */
export function matrixCells(plan: StoredPlan, job: StoredJob): StoredJob[] {
  if (!job.matrix) return [];
  return plan.jobs.filter((other) => other.matrix !== undefined && other.jobId === job.jobId && other.calledBy === job.calledBy);
}

function evaluated(value: boolean | number | string | undefined, contexts: Record<string, unknown>): unknown {
  if (typeof value !== "string") return value;
  const result = evaluateExpression(value, contexts);
  return result.ok ? result.value : undefined;
}

/** The strategy of this cell's matrix, or null for a job that is not a matrix cell. */
export function strategyFacts(plan: StoredPlan, job: StoredJob, contexts: Record<string, unknown>): StrategyFacts | null {
  const cells = matrixCells(plan, job);
  if (cells.length === 0) return null;
  return cellStrategy(job, { jobIndex: cells.findIndex((cell) => cell.key === job.key), jobTotal: cells.length }, contexts);
}

/** The strategy of a matrix cell whose place among its cells is known (a claim reads it without the other cells). */
export function cellStrategy(job: StoredJob, place: { jobIndex: number; jobTotal: number }, contexts: Record<string, unknown>): StrategyFacts {
  const failFast = evaluated(job.failFast, contexts);
  const maxParallel = Number(evaluated(job.maxParallel, contexts));
  return {
    failFast: failFast === undefined ? true : isTruthy(failFast as Parameters<typeof isTruthy>[0]),
    ...place,
    ...(Number.isInteger(maxParallel) && maxParallel > 0 ? { maxParallel } : {}),
  };
}
