import { Evaluator, data } from "@actions/expressions";
import type { ExpressionData } from "@actions/expressions/data/expressiondata";
import type { FunctionDefinition } from "@actions/expressions/funcs/info";
import { extractExpressions } from "./extract";
import { parseExpression } from "./parse";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export type EvalResult = { ok: true; value: JsonValue } | { ok: false; error: string };
export type ExprFunction = (...args: JsonValue[]) => unknown;

const MAX_DEPTH = 64;

/** Plain JS → GitHub expression data. Depth-limited so hostile input cannot overflow the stack. */
export function toData(v: unknown, depth = 0): ExpressionData {
  if (depth > MAX_DEPTH) return new data.Null();
  if (v === null || v === undefined) return new data.Null();
  if (typeof v === "boolean") return new data.BooleanData(v);
  if (typeof v === "number") return new data.NumberData(v);
  if (typeof v === "string") return new data.StringData(v);
  if (Array.isArray(v)) return new data.Array(...v.map((x) => toData(x, depth + 1)));
  if (typeof v === "object") {
    return new data.Dictionary(...Object.entries(v).map(([key, x]) => ({ key, value: toData(x, depth + 1) })));
  }
  return new data.StringData(String(v));
}

export function fromData(d: ExpressionData, depth = 0): JsonValue {
  if (depth > MAX_DEPTH) return null;
  switch (d.kind) {
    case data.Kind.Null:
      return null;
    case data.Kind.Boolean:
    case data.Kind.Number:
    case data.Kind.String:
      return d.value;
    case data.Kind.Array:
      return d.values().map((x) => fromData(x, depth + 1));
    default: {
      const out: Record<string, JsonValue> = {};
      if (d instanceof data.Dictionary) for (const p of d.pairs()) out[p.key] = fromData(p.value, depth + 1);
      return out;
    }
  }
}

const STATUS_DEFAULTS: Record<string, ExprFunction> = {
  success: () => true,
  always: () => true,
  failure: () => false,
  cancelled: () => false,
};

function functionMap(functions: Record<string, ExprFunction>): Map<string, FunctionDefinition> {
  const m = new Map<string, FunctionDefinition>();
  const all: Record<string, ExprFunction> = { ...STATUS_DEFAULTS, ...functions };
  for (const [name, fn] of Object.entries(all)) {
    m.set(name.toLowerCase(), {
      name,
      minArgs: 0,
      maxArgs: 255,
      call: (...args: ExpressionData[]) => toData(fn(...args.map((a) => fromData(a)))),
    });
  }
  if (!m.has("hashfiles")) {
    m.set("hashfiles", {
      name: "hashFiles",
      minArgs: 1,
      maxArgs: 255,
      call: () => {
        throw new Error("hashFiles() is evaluated by the runner; pass a hashFiles implementation");
      },
    });
  }
  return m;
}

function evalOne(inner: string, ctx: data.Dictionary, fns: Map<string, FunctionDefinition>, contextNames: string[]): { ok: true; value: ExpressionData } | { ok: false; error: string } {
  const parsed = parseExpression(inner, contextNames);
  if (!parsed.ok) return { ok: false, error: parsed.message };
  try {
    return { ok: true, value: new Evaluator(parsed.expr, ctx, fns).evaluate() };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Evaluates with GitHub's own evaluator (`@actions/expressions`): loose equality, coercion and
 * functions exactly as GitHub documents them. Accepts a bare expression (`a == 'b'`) or a template
 * (`x-${{ a }}`, whose pieces are joined as strings). Total: never throws.
 */
export function evaluateExpression(expr: string, contexts: Record<string, unknown> = {}, functions: Record<string, ExprFunction> = {}): EvalResult {
  try {
    const ctx = new data.Dictionary(...Object.entries(contexts).map(([key, v]) => ({ key, value: toData(v) })));
    const names = [...new Set([...Object.keys(contexts), "github", "env", "vars", "secrets", "inputs", "matrix", "needs", "steps", "job", "jobs", "runner", "strategy"])];
    const fns = functionMap(functions);
    if (!expr.includes("${{")) {
      const r = evalOne(expr, ctx, fns, names);
      return r.ok ? { ok: true, value: fromData(r.value) } : r;
    }
    const ex = extractExpressions(expr);
    if (!ex.ok) return { ok: false, error: ex.message };
    const first = ex.items[0];
    if (ex.items.length === 1 && first && expr.slice(0, first.start).trim() === "" && expr.slice(first.end).trim() === "") {
      const r = evalOne(first.inner, ctx, fns, names);
      return r.ok ? { ok: true, value: fromData(r.value) } : r;
    }
    let out = "";
    let last = 0;
    for (const it of ex.items) {
      const r = evalOne(it.inner, ctx, fns, names);
      if (!r.ok) return r;
      out += expr.slice(last, it.start) + r.value.coerceString();
      last = it.end;
    }
    return { ok: true, value: out + expr.slice(last) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
