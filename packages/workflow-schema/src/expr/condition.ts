import { extractExpressions } from "./extract";

/** The condition to evaluate: `${{ x }}` → `x`; empty → `success()`. */
export function normalizeCondition(value: string | undefined): string {
  const v = (value ?? "").trim();
  if (v === "") return "success()";
  const ex = extractExpressions(v);
  const first = ex.items[0];
  if (ex.ok && ex.items.length === 1 && first && first.start === 0 && first.end === v.length) return first.inner.trim();
  return v;
}
