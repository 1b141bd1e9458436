// Step `if:` with GitHub's status functions over the steps so far, and the implicit `success() &&` when
// the condition names no status function.
import { evaluateExpression, type ExprFunction, type JsonValue } from "@gantry/workflow-schema";

export type JobStatus = "success" | "failure" | "cancelled";

const STATUS_CALL = /\b(success|failure|always|cancelled)\s*\(/i;

export function truthy(value: JsonValue): boolean {
  if (value === null || value === false || value === 0 || value === "") return false;
  if (typeof value === "number" && Number.isNaN(value)) return false;
  return true;
}

export function statusFunctions(status: JobStatus): Record<string, ExprFunction> {
  return {
    success: () => status === "success",
    failure: () => status === "failure",
    cancelled: () => status === "cancelled",
    always: () => true,
  };
}

export function evaluateCondition(condition: string, contexts: Record<string, unknown>, status: JobStatus, functions: Record<string, ExprFunction> = {}): { ok: true; run: boolean } | { ok: false; error: string } {
  const text = condition.trim() === "" ? "success()" : condition;
  const result = evaluateExpression(text, contexts, { ...functions, ...statusFunctions(status) });
  if (!result.ok) return { ok: false, error: `if: ${result.error}` };
  const explicit = STATUS_CALL.test(text);
  return { ok: true, run: truthy(result.value) && (explicit || status === "success") };
}
