import type { Pos } from "../errors";
import type { MatrixDef, Strategy } from "../model";
import { scalarString, toPlain } from "../yaml/node";
import type { YNode } from "../yaml/node";
import { isExpression } from "./reader";
import type { Reader, Scope } from "./reader";

export function parseStrategy(r: Reader, node: YNode, scope: Scope): Strategy | undefined {
  if (node.kind === "scalar" && typeof node.value === "string" && isExpression(node.value)) {
    r.site(node, "job-strategy", scope);
    return {};
  }
  const pairs = r.map(node, "strategy");
  if (!pairs) return undefined;
  const f = r.keys(pairs, ["fail-fast", "matrix", "max-parallel"], `"strategy" section`);
  const s: Strategy = {};
  const ff = f.get("fail-fast");
  if (ff) s.failFast = r.bool(ff.value, "\"fail-fast\"", "job-strategy", scope);
  const mp = f.get("max-parallel");
  if (mp) s.maxParallel = r.num(mp.value, "\"max-parallel\"", "job-strategy", scope, true);
  const m = f.get("matrix");
  if (m) s.matrix = parseMatrix(r, m.value, scope);
  return s;
}

function hasExpr(v: unknown): boolean {
  if (typeof v === "string") return v.includes("${{");
  if (Array.isArray(v)) return v.some(hasExpr);
  if (v && typeof v === "object") return Object.entries(v).some(([k, x]) => k.includes("${{") || hasExpr(x));
  return false;
}

function siteAll(r: Reader, n: YNode, scope: Scope): void {
  if (n.kind === "scalar") r.site(n, "job-strategy", scope);
  else if (n.kind === "seq") n.items.forEach((i) => siteAll(r, i, scope));
  else n.pairs.forEach((p) => siteAll(r, p.value, scope));
}

function parseMatrix(r: Reader, node: YNode, scope: Scope): MatrixDef | undefined {
  const def: MatrixDef = { pos: node.pos, axes: [], dynamic: false, raw: toPlain(node) };
  if (node.kind === "scalar" && typeof node.value === "string" && isExpression(node.value)) {
    r.site(node, "job-strategy", scope);
    def.expression = { value: node.value, pos: node.pos, node };
    def.dynamic = true;
    return def;
  }
  const pairs = r.map(node, "matrix", true);
  if (!pairs) return undefined;
  for (const p of pairs) {
    const key = scalarString(p.key);
    siteAll(r, p.value, scope);
    if (key === "include" || key === "exclude") {
      const v = p.value;
      if (v.kind === "scalar" && typeof v.value === "string" && isExpression(v.value)) {
        def[key] = v.value;
        def.dynamic = true;
        continue;
      }
      if (v.kind !== "seq") {
        r.sink.error(v.pos, "type-mismatch", `"${key}" section must be a sequence of mappings or a \${{ }} expression`);
        continue;
      }
      if (v.items.length === 0) r.sink.error(v.pos, "empty-value", `"${key}" section should not be empty`);
      const rows: unknown[] = [];
      const positions: Record<string, { key: Pos; value: Pos }>[] = [];
      for (const it of v.items) {
        if (it.kind === "scalar" && typeof it.value === "string" && isExpression(it.value)) {
          def.dynamic = true;
          rows.push(it.value);
          continue;
        }
        if (it.kind !== "map") {
          r.sink.error(it.pos, "type-mismatch", `element of "${key}" section must be a mapping`);
          continue;
        }
        r.dupes(it.pairs, `"${key}" row`, true);
        rows.push(toPlain(it));
        positions.push(Object.fromEntries(it.pairs.map((q) => [scalarString(q.key), { key: q.key.pos, value: q.value.pos }])));
      }
      if (hasExpr(rows)) def.dynamic = true;
      def[key] = rows;
      if (key === "include") def.includePos = v.pos;
      else def.excludePos = positions;
      continue;
    }
    const v = p.value;
    if (v.kind === "scalar" && typeof v.value === "string" && isExpression(v.value)) {
      def.axes.push({ name: key, pos: p.key.pos, expression: v.value });
      def.dynamic = true;
      continue;
    }
    if (v.kind !== "seq") {
      r.sink.error(v.pos, "type-mismatch", `matrix values of "${key}" must be a sequence or a \${{ }} expression`);
      continue;
    }
    if (v.items.length === 0) r.sink.error(v.pos, "empty-value", `"matrix values" section should not be empty`);
    const values = v.items.map(toPlain);
    if (hasExpr(values)) def.dynamic = true;
    def.axes.push({ name: key, pos: p.key.pos, values });
  }
  return def;
}
