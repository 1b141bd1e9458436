import { evaluateExpression } from "../expr/evaluate.js";
import type { ExprFunction } from "../expr/evaluate.js";
import { extractExpressions } from "../expr/extract.js";
import type { PlannedJob, WorkflowPlan } from "../plan.js";
import { substituteMatrix } from "./compile.js";
import { MAX_MATRIX_CELLS, cellKey, expandMatrix } from "./matrix.js";
import type { Cell } from "./matrix.js";

export type RuntimeResult = { ok: true; plan: WorkflowPlan; keys: string[] } | { ok: false; error: string };

/** Evaluates every `${{ }}` inside a JSON template; a string that is one whole `${{ }}` takes the value's type. */
function resolve(v: unknown, contexts: Record<string, unknown>, fns: Record<string, ExprFunction>, depth = 0): { ok: true; value: unknown } | { ok: false; error: string } {
  if (depth > 32) return { ok: false, error: "matrix nests too deeply" };
  if (typeof v === "string") {
    if (!v.includes("${{")) return { ok: true, value: v };
    const r = evaluateExpression(v, contexts, fns);
    return r.ok ? { ok: true, value: r.value } : { ok: false, error: `cannot evaluate ${JSON.stringify(v)}: ${r.error}` };
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const r = resolve(x, contexts, fns, depth + 1);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return { ok: true, value: out };
  }
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = resolve(x, contexts, fns, depth + 1);
      if (!r.ok) return r;
      out[k] = r.value;
    }
    return { ok: true, value: out };
  }
  return { ok: true, value: v };
}

function sub(s: string, cell: Cell): string {
  return extractExpressions(s).items.length ? substituteMatrix(s, cell) : s;
}

const subAll = (m: Record<string, string>, cell: Cell): Record<string, string> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, sub(v, cell)]));

function forCell(job: PlannedJob, cell: Cell): PlannedJob {
  const key = cellKey(job.jobId, cell);
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
    ...(job.concurrency ? { concurrency: { ...job.concurrency, group: sub(job.concurrency.group, cell) } } : {}),
    ...(job.environment ? { environment: { ...job.environment, name: sub(job.environment.name, cell) } } : {}),
    ...(typeof job.timeoutMinutes === "string" ? { timeoutMinutes: sub(job.timeoutMinutes, cell) } : {}),
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
  const r = resolve(job.dynamicMatrix, contexts, functions);
  if (!r.ok) return r;
  const m = r.value;
  if (!m || typeof m !== "object" || Array.isArray(m)) return { ok: false, error: `matrix of job "${job.jobId}" must be an object but evaluated to ${JSON.stringify(m)}` };
  const axes: { name: string; values: unknown[] }[] = [];
  let include: unknown[] = [];
  let exclude: unknown[] = [];
  for (const [k, v] of Object.entries(m)) {
    if (k === "include" || k === "exclude") {
      if (!Array.isArray(v)) return { ok: false, error: `"${k}" of job "${job.jobId}" must be a list of objects` };
      if (k === "include") include = v;
      else exclude = v;
      continue;
    }
    const values = Array.isArray(v) ? v : [v];
    if (values.length === 0) return { ok: false, error: `matrix vector "${k}" of job "${job.jobId}" does not contain any values` };
    axes.push({ name: k, values });
  }
  const size = axes.reduce((n, a) => n * a.values.length, 1);
  if (size > 100_000) return { ok: false, error: `matrix of job "${job.jobId}" expands to ${size} jobs but at most ${MAX_MATRIX_CELLS} are allowed` };
  const cells = expandMatrix(axes, include, exclude);
  if (cells.length === 0) return { ok: false, error: `matrix of job "${job.jobId}" has no combinations` };
  if (cells.length > MAX_MATRIX_CELLS) return { ok: false, error: `matrix of job "${job.jobId}" expands to ${cells.length} jobs but at most ${MAX_MATRIX_CELLS} are allowed` };
  const expanded = cells.map((c) => forCell(job, c));
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
