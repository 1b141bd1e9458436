import type { ExprFunction } from "../expr/evaluate";
import { resolveTemplate } from "../expr/template";
import { extractExpressions } from "../expr/extract";
import type { PlannedJob, WorkflowPlan } from "../plan";
import { asBool, asNumber, substituteMatrix } from "./compile";
import { cellKey, cellsFromValue } from "./matrix";
import type { Cell } from "./matrix";

export type RuntimeResult = { ok: true; plan: WorkflowPlan; keys: string[] } | { ok: false; error: string };

function sub(s: string, cell: Cell): string {
  return extractExpressions(s).items.length ? substituteMatrix(s, cell) : s;
}

const subAll = (m: Record<string, string>, cell: Cell): Record<string, string> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, sub(v, cell)]));

function forCell(job: PlannedJob, cell: Cell): PlannedJob {
  // A called workflow's job is keyed under its caller (`call / fan`): its cells are too (`call / fan (1)`).
  const prefix = job.key.endsWith(job.jobId) ? job.key.slice(0, job.key.length - job.jobId.length) : "";
  const key = prefix + cellKey(job.jobId, cell);
  const { dynamicMatrix: _dropped, ...rest } = job;
  return {
    ...rest,
    key,
    name: job.name === job.key ? key : sub(job.name, cell),
    matrix: cell,
    runsOn: job.runsOn.map((l) => sub(l, cell)),
    env: subAll(job.env, cell),
    outputs: subAll(job.outputs, cell),
    steps: job.steps.map((s) => ({ ...s, env: subAll(s.env, cell), with: subAll(s.with, cell), ...(s.name ? { name: sub(s.name, cell) } : {}) })),
    ...(job.with ? { with: subAll(job.with, cell) } : {}),
    ...(job.concurrency ? { concurrency: { ...job.concurrency, group: sub(job.concurrency.group, cell) } } : {}),
    ...(job.environment ? { environment: { ...job.environment, name: sub(job.environment.name, cell) } } : {}),
    ...(typeof job.timeoutMinutes === "string" ? { timeoutMinutes: asNumber(sub(job.timeoutMinutes, cell)) } : {}),
    ...(typeof job.continueOnError === "string" ? { continueOnError: asBool(sub(job.continueOnError, cell)) } : {}),
  };
}

/**
 * Expands a planned job whose matrix is built from `${{ }}` (`dynamicMatrix`), once its contexts
 * are known (typically `needs`, `inputs`, `github`, `vars`). Returns a new plan where the job is
 * replaced by one job per cell and every job that needed it needs all the cells. Total.
 */
export function expandDynamicJob(plan: WorkflowPlan, key: string, contexts: Record<string, unknown>, functions: Record<string, ExprFunction> = {}): RuntimeResult {
  const idx = plan.jobs.findIndex((j) => j.key === key);
  const job = plan.jobs[idx];
  if (!job) return { ok: false, error: `no job "${key}" in the plan` };
  if (job.dynamicMatrix === undefined) return { ok: true, plan, keys: [key] };
  const r = resolveTemplate(job.dynamicMatrix, contexts, functions);
  if (!r.ok) return r;
  const cells = cellsFromValue(r.value, job.jobId);
  if (!cells.ok) return cells;
  const expanded = cells.cells.map((c) => forCell(job, c));
  const seen = new Map<string, number>();
  for (const j of expanded) {
    const n = (seen.get(j.key) ?? 0) + 1;
    seen.set(j.key, n);
    if (n > 1) j.key = `${j.key} #${n}`;
  }
  const keys = expanded.map((j) => j.key);
  const jobs = [...plan.jobs.slice(0, idx), ...expanded, ...plan.jobs.slice(idx + 1)].map((j) =>
    j.needs.includes(key) ? { ...j, needs: j.needs.flatMap((n) => (n === key ? keys : [n])) } : j,
  );
  return { ok: true, plan: { ...plan, jobs }, keys };
}
