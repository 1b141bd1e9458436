// A job's `if`, as GitHub evaluates it: without a status function it means `success() && (<if>)`.
import { evaluateExpression, type JsonValue } from "@gantry/workflow-schema";

const STATUS_FUNCTION = /\b(success|failure|always|cancelled)\s*\(/i;

export function effectiveCondition(raw: string | undefined): string {
  const trimmed = (raw ?? "").trim();
  if (!trimmed) return "success()";
  const whole = /^\$\{\{([\s\S]*)\}\}$/.exec(trimmed);
  const inner = whole?.[1] !== undefined && !whole[1].includes("${{") ? whole[1].trim() : trimmed;
  return STATUS_FUNCTION.test(inner) ? inner : `success() && (${inner})`;
}

/** GitHub's truthiness: null, false, 0, NaN and "" are false; everything else, arrays and objects included, true. */
export function isTruthy(value: JsonValue): boolean {
  if (value === null || value === false || value === "") return false;
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  return true;
}

export interface StatusInputs {
  /** Every direct need succeeded (continue-on-error failures count as success). */
  allNeedsSucceeded: boolean;
  /** Some ancestor failed. */
  anyAncestorFailed: boolean;
  runCancelled: boolean;
}

export function evaluateJobCondition(
  raw: string | undefined,
  contexts: Record<string, unknown>,
  status: StatusInputs,
): { ok: true; run: boolean } | { ok: false; error: string } {
  const result = evaluateExpression(effectiveCondition(raw), contexts, {
    success: () => status.allNeedsSucceeded && !status.runCancelled,
    failure: () => status.anyAncestorFailed && !status.runCancelled,
    cancelled: () => status.runCancelled,
    always: () => true,
  });
  return result.ok ? { ok: true, run: isTruthy(result.value) } : { ok: false, error: result.error };
}
