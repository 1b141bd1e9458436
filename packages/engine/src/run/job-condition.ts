// A job's `if`, as GitHub evaluates it: without a status function it means `success() && (<if>)`.
import { evaluateExpression } from "@gantry/workflow-schema";
import { isTruthy } from "../contexts/truthy";
export { isTruthy };

const STATUS_FUNCTION = /\b(success|failure|always|cancelled)\s*\(/i;

export function effectiveCondition(raw: string | undefined): string {
  const trimmed = (raw ?? "").trim();
  if (!trimmed) return "success()";
  const whole = /^\$\{\{([\s\S]*)\}\}$/.exec(trimmed);
  const inner = whole?.[1] !== undefined && !whole[1].includes("${{") ? whole[1].trim() : trimmed;
  return STATUS_FUNCTION.test(inner) ? inner : `success() && (${inner})`;
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
