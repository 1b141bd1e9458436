// `${{ }}` in run scripts, env, with and outputs: the evaluated text, or an error naming where it was.
import { evaluateExpression, type ExprFunction, type JsonValue } from "@gantry/workflow-schema";

export function stringify(value: JsonValue): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value, null, 2);
}

export function interpolate(text: string, contexts: Record<string, unknown>, where: string, functions: Record<string, ExprFunction> = {}): { ok: true; value: string } | { ok: false; error: string } {
  if (!text.includes("${{")) return { ok: true, value: text };
  const result = evaluateExpression(text, contexts, functions);
  return result.ok ? { ok: true, value: stringify(result.value) } : { ok: false, error: `${where}: ${result.error}` };
}

/** Evaluates every value of a map; the first error wins. */
export function interpolateMap(map: Record<string, string>, contexts: Record<string, unknown>, where: string, functions: Record<string, ExprFunction> = {}): { ok: true; value: Record<string, string> } | { ok: false; error: string } {
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(map)) {
    const r = interpolate(raw, contexts, `${where}.${key}`, functions);
    if (!r.ok) return r;
    out[key] = r.value;
  }
  return { ok: true, value: out };
}
