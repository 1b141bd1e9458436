import type { MatrixDef } from "../model";

export type Cell = Record<string, unknown>;

export const MAX_MATRIX_CELLS = 256;

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object" || typeof b !== "object") {
    // GitHub compares matrix values loosely as strings for scalars (e.g. 20 and "20")
    return (typeof a === "number" || typeof a === "string" || typeof a === "boolean") &&
      (typeof b === "number" || typeof b === "string" || typeof b === "boolean") && String(a) === String(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** `sub` matches `v` when every key of an object `sub` matches (exclude filters may give a subset). */
export function partialMatch(sub: unknown, v: unknown): boolean {
  if (sub && v && typeof sub === "object" && typeof v === "object" && !Array.isArray(sub) && !Array.isArray(v)) {
    return Object.entries(sub).every(([k, x]) => k in v && partialMatch(x, (v as Record<string, unknown>)[k]));
  }
  return deepEqual(sub, v);
}

/** Number of cells of the cross product, before include/exclude. */
export function productSize(def: MatrixDef): number {
  return def.axes.reduce((n, a) => n * (a.values?.length ?? 1), def.axes.length ? 1 : 0);
}

function isRow(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * GitHub's expansion: cross product of the axes, minus rows matching an `exclude` entry, then each
 * `include` entry is merged into every original combination whose original values it does not
 * change; when it fits none, it becomes a new combination.
 */
export function expandMatrix(axes: readonly { name: string; values: readonly unknown[] }[], include: readonly unknown[], exclude: readonly unknown[]): Cell[] {
  let cells: Cell[] = axes.length ? [{}] : [];
  for (const a of axes) {
    const next: Cell[] = [];
    for (const c of cells) for (const v of a.values) next.push({ ...c, [a.name]: v });
    cells = next;
  }
  const ex = exclude.filter(isRow);
  cells = cells.filter((c) => !ex.some((row) => Object.entries(row).every(([k, v]) => k in c && partialMatch(v, c[k]))));
  const axisNames = new Set(axes.map((a) => a.name));
  const originals = cells.map((c) => ({ cell: c, orig: { ...c } }));
  const extra: Cell[] = [];
  for (const row of include.filter(isRow)) {
    let matched = false;
    for (const o of originals) {
      const fits = Object.entries(row).every(([k, v]) => !axisNames.has(k) || deepEqual(o.orig[k], v));
      if (fits) {
        Object.assign(o.cell, row);
        matched = true;
      }
    }
    if (!matched) {
      // a new combination: matrix keys first, in matrix order, then the rest as written
      const cell: Cell = {};
      for (const a of axes) if (a.name in row) cell[a.name] = row[a.name];
      extra.push(Object.assign(cell, row));
    }
  }
  return [...cells, ...extra];
}

/** `build (linux, 20)`: the job id and the cell's values in key order. */
export function cellKey(jobId: string, cell: Cell | undefined): string {
  if (!cell || Object.keys(cell).length === 0) return jobId;
  const parts = Object.values(cell).map((v) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)));
  return `${jobId} (${parts.join(", ")})`;
}

export type CellsResult = { ok: true; cells: Cell[] } | { ok: false; error: string };

/** Cells of an evaluated matrix value (`{axis: [..], include: [..], exclude: [..]}`), with GitHub's limits. */
export function cellsFromValue(m: unknown, jobId: string): CellsResult {
  if (!m || typeof m !== "object" || Array.isArray(m)) return { ok: false, error: `matrix of job "${jobId}" must be an object but evaluated to ${JSON.stringify(m)}` };
  const axes: { name: string; values: unknown[] }[] = [];
  let include: unknown[] = [];
  let exclude: unknown[] = [];
  for (const [k, v] of Object.entries(m)) {
    if (k === "include" || k === "exclude") {
      if (!Array.isArray(v)) return { ok: false, error: `"${k}" of job "${jobId}" must be a list of objects` };
      if (k === "include") include = v;
      else exclude = v;
      continue;
    }
    const values = Array.isArray(v) ? v : [v];
    if (values.length === 0) return { ok: false, error: `matrix vector "${k}" of job "${jobId}" does not contain any values` };
    axes.push({ name: k, values });
  }
  const size = axes.reduce((n, a) => n * a.values.length, 1);
  if (size > 100_000) return { ok: false, error: `matrix of job "${jobId}" expands to ${size} jobs but at most ${MAX_MATRIX_CELLS} are allowed` };
  const cells = expandMatrix(axes, include, exclude);
  if (cells.length === 0) return { ok: false, error: `matrix of job "${jobId}" has no combinations` };
  if (cells.length > MAX_MATRIX_CELLS) return { ok: false, error: `matrix of job "${jobId}" expands to ${cells.length} jobs but at most ${MAX_MATRIX_CELLS} are allowed` };
  return { ok: true, cells };
}
