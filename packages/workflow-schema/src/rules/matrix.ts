import { MAX_MATRIX_CELLS, cellsFromValue, deepEqual, expandMatrix, partialMatch, productSize } from "../compile/matrix";
import { isStaticTemplate, resolveTemplate } from "../expr/template";
import type { Rule } from "./rule";

/** Matrix: size limit, duplicate axis values, `exclude` rows that refer to nothing. */
export const matrix: Rule = ({ wf, sink }) => {
  for (const job of wf.jobs) {
    const m = job.strategy?.matrix;
    if (!m) continue;
    for (const a of m.axes) {
      const vals = a.values ?? [];
      vals.forEach((v, i) => {
        if (vals.slice(0, i).some((w) => deepEqual(v, w) && typeof v === typeof w)) {
          sink.error(a.pos, "matrix-duplicate-value", `duplicate value ${JSON.stringify(v)} is found in matrix "${a.name}"`);
        }
      });
    }
    const staticAxes = m.axes.filter((a) => a.values && !a.expression);
    if (Array.isArray(m.exclude) && staticAxes.length === m.axes.length) {
      const names = m.axes.map((a) => a.name);
      const incKeys = new Set(Array.isArray(m.include) ? m.include.flatMap((r) => (r && typeof r === "object" ? Object.keys(r) : [])) : []);
      for (const [ri, row] of m.exclude.entries()) {
        if (!row || typeof row !== "object" || Array.isArray(row)) continue;
        const at = m.excludePos?.[ri] ?? {};
        for (const [k, v] of Object.entries(row)) {
          if (JSON.stringify(v).includes("${{")) continue;
          const axis = m.axes.find((a) => a.name === k);
          if (!axis && incKeys.has(k) && Array.isArray(m.include)) {
            const vals = m.include.flatMap((r) => (r && typeof r === "object" && k in r ? [(r as Record<string, unknown>)[k]] : []));
            if (!JSON.stringify(vals).includes("${{") && !vals.some((x) => partialMatch(v, x))) {
              sink.error(at[k]?.value ?? m.pos, "matrix-exclude-no-match", `value ${JSON.stringify(v)} in "exclude" does not match in matrix "${k}" combinations. possible values are ${vals.map((x) => JSON.stringify(x)).join(", ")}`);
            }
            continue;
          }
          if (!axis) {
            if (!incKeys.has(k)) sink.error(at[k]?.key ?? m.pos, "matrix-exclude-unknown-key", `"${k}" in "exclude" section does not exist in matrix. available matrix configurations are ${names.map((n) => `"${n}"`).join(", ")}`);
            continue;
          }
          if (JSON.stringify(axis.values ?? []).includes("${{")) continue;
          if (!(axis.values ?? []).some((x) => partialMatch(v, x))) {
            sink.error(at[k]?.value ?? axis.pos, "matrix-exclude-no-match", `value ${JSON.stringify(v)} in "exclude" does not match in matrix "${k}" combinations. possible values are ${(axis.values ?? []).map((x) => JSON.stringify(x)).join(", ")}`);
          }
        }
      }
    }
    if (m.dynamic) {
      if (!isStaticTemplate(m.raw)) continue;
      const r = resolveTemplate(m.raw, {});
      const c = r.ok ? cellsFromValue(r.value, job.id) : r;
      if (!c.ok) sink.error(m.pos, "invalid-matrix", c.error);
      continue;
    }
    const size = productSize(m);
    let cells = size;
    if (size <= 100_000) {
      cells = expandMatrix(
        m.axes.map((a) => ({ name: a.name, values: a.values ?? [] })),
        Array.isArray(m.include) ? m.include : [],
        Array.isArray(m.exclude) ? m.exclude : [],
      ).length;
    }
    if (cells > MAX_MATRIX_CELLS) {
      sink.error(m.pos, "matrix-too-large", `matrix of job "${job.id}" expands to ${cells} jobs but at most ${MAX_MATRIX_CELLS} are allowed`);
    }
  }
};
