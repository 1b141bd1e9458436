import type { WorkflowError } from "./errors";

/** `file:line:col: message [code]` per line for humans, or a JSON array for the dashboard. */
export function formatErrors(errors: readonly WorkflowError[], format: "text" | "json" = "text"): string {
  if (format === "json") return JSON.stringify(errors, null, 2);
  return errors
    .map((e) => `${e.file}:${e.line}:${e.col}: ${e.severity === "warning" ? "warning: " : ""}${e.message} [${e.code}]`)
    .join("\n");
}
