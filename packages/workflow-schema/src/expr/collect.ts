import type { Expr } from "@actions/expressions";
import type { ErrorSink, Pos } from "../errors";
import type { ExprSite } from "../model";
import { extractExpressions } from "./extract";
import { CONTEXT_NAMES, parseExpression } from "./parse";

/** One parsed expression with a way to turn a position inside it into a file position. */
export interface ParsedExpr {
  site: ExprSite;
  expr: Expr;
  /** The whole value is this expression (condition or `key: ${{ x }}`), not a template piece. */
  whole: boolean;
  at(line: number, column: number): Pos;
}

/** Parses every expression site once; syntax errors go to `sink` with exact columns. */
export function collectExpressions(sites: readonly ExprSite[], posAt: (o: number) => Pos, sink: ErrorSink): ParsedExpr[] {
  const out: ParsedExpr[] = [];
  for (const site of sites) {
    const n = site.node;
    const value = typeof n.value === "string" ? n.value : String(n.value ?? "");
    const ex = extractExpressions(value);
    const pieces: { inner: string; base: number; whole: boolean }[] = [];
    if (site.condition && ex.items.length === 0 && ex.ok) {
      const lead = value.length - value.trimStart().length;
      const first = value.trim().slice(0, 8);
      const idx = first ? n.raw.indexOf(first) : -1;
      pieces.push({ inner: value, base: n.offset + (idx >= 0 ? idx - lead : 0), whole: true });
    } else {
      let from = 0;
      const whole = ex.items.length === 1 && value.trim() === value.slice(ex.items[0]?.start ?? 0, ex.items[0]?.end ?? 0).trim();
      for (const it of ex.items) {
        const idx = n.raw.indexOf("${{", from);
        from = idx >= 0 ? idx + 3 : from;
        pieces.push({ inner: it.inner, base: n.offset + (idx >= 0 ? idx + 3 : 0), whole: whole || !!site.condition });
      }
      if (!ex.ok) {
        const idx = n.raw.indexOf("${{", from);
        sink.error(idx >= 0 && n.offset >= 0 ? posAt(n.offset + idx) : n.pos, "expression-syntax", ex.message);
      }
    }
    for (const p of pieces) {
      const at = (line: number, column: number): Pos => {
        if (n.offset < 0) return n.pos;
        let o = p.base;
        for (let l = 0; l < line; l++) {
          const nl = n.raw.indexOf("\n", o - n.offset);
          if (nl < 0) break;
          o = n.offset + nl + 1;
        }
        return posAt(o + column);
      };
      const r = parseExpression(p.inner);
      if (!r.ok) {
        const m = /^Unrecognized (named-value|function): '([^']*)'/.exec(r.message);
        if (m?.[1] === "named-value") {
          sink.error(at(r.line, r.column), "unknown-context", `undefined variable "${m[2]}". available variables are ${CONTEXT_NAMES.filter((c) => c !== "jobs").map((c) => `"${c}"`).join(", ")}`);
        } else if (m) {
          sink.error(at(r.line, r.column), "unknown-function", `undefined function "${m[2]}". available functions are "always", "cancelled", "contains", "endsWith", "failure", "format", "fromJSON", "hashFiles", "join", "startsWith", "success", "toJSON"`);
        } else sink.error(at(r.line, r.column), "expression-syntax", `invalid expression: ${r.message}`);
        continue;
      }
      out.push({ site, expr: r.expr, whole: p.whole, at });
    }
  }
  return out;
}
