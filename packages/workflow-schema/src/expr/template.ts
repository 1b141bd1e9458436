import { ContextAccess, FunctionCall } from "@actions/expressions/ast";
import { evaluateExpression } from "./evaluate";
import type { ExprFunction } from "./evaluate";
import { extractExpressions } from "./extract";
import { parseExpression } from "./parse";
import { walk } from "./walk";

const RUNTIME_FUNCTIONS = ["hashfiles", "success", "failure", "always", "cancelled"];

/** True when every `${{ }}` in the JSON template uses no context and no run-time function (e.g. `fromJSON('[1,2]')`). */
export function isStaticTemplate(v: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (typeof v === "string") {
    if (!v.includes("${{")) return true;
    const ex = extractExpressions(v);
    if (!ex.ok) return false;
    return ex.items.every((it) => {
      const p = parseExpression(it.inner);
      if (!p.ok) return false;
      let ok = true;
      walk(p.expr, (e) => {
        if (e instanceof ContextAccess) ok = false;
        if (e instanceof FunctionCall && RUNTIME_FUNCTIONS.includes(e.functionName.lexeme.toLowerCase())) ok = false;
      });
      return ok;
    });
  }
  if (Array.isArray(v)) return v.every((x) => isStaticTemplate(x, depth + 1));
  if (v && typeof v === "object") return Object.entries(v).every(([k, x]) => isStaticTemplate(k, depth + 1) && isStaticTemplate(x, depth + 1));
  return true;
}

export type TemplateResult = { ok: true; value: unknown } | { ok: false; error: string };

/** Evaluates every `${{ }}` inside a JSON template; a string that is one whole `${{ }}` takes the value's type. */
export function resolveTemplate(v: unknown, contexts: Record<string, unknown>, fns: Record<string, ExprFunction> = {}, depth = 0): TemplateResult {
  if (depth > 32) return { ok: false, error: "template nests too deeply" };
  if (typeof v === "string") {
    if (!v.includes("${{")) return { ok: true, value: v };
    const r = evaluateExpression(v, contexts, fns);
    return r.ok ? { ok: true, value: r.value } : { ok: false, error: `cannot evaluate ${JSON.stringify(v)}: ${r.error}` };
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const r = resolveTemplate(x, contexts, fns, depth + 1);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return { ok: true, value: out };
  }
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = resolveTemplate(x, contexts, fns, depth + 1);
      if (!r.ok) return r;
      out[k] = r.value;
    }
    return { ok: true, value: out };
  }
  return { ok: true, value: v };
}
