// GitHub's truthiness of an evaluated expression, shared by every job-level decision (if, fail-fast, concurrency).
import type { JsonValue } from "@gantry/workflow-schema";

/** GitHub's truthiness: null, false, 0, NaN and "" are false; everything else, arrays and objects included, true. */
export function isTruthy(value: JsonValue): boolean {
  if (value === null || value === false || value === "") return false;
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  return true;
}
