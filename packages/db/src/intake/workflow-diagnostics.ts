// A workflow's validation errors and warnings as a run keeps them (WorkflowRun.errors / .warnings): the compiler's
// `{file, line, col, code, message, severity}`, stored as JSON. Readers parse them back through one schema, so a
// row written by an older version reads as "nothing to show" instead of breaking the run page or a check report.
import { z } from "zod";
import type { Prisma } from "../generated/prisma/client";

export const workflowDiagnostic = z.object({
  file: z.string(),
  line: z.number().int(),
  col: z.number().int(),
  code: z.string(),
  message: z.string(),
  severity: z.enum(["error", "warning"]),
});
export type WorkflowDiagnostic = z.infer<typeof workflowDiagnostic>;

const storedDiagnostics = z.array(workflowDiagnostic).catch([]);

/** The diagnostics a run stored (null or malformed: none). */
export function readDiagnostics(stored: Prisma.JsonValue | null): WorkflowDiagnostic[] {
  return stored === null ? [] : storedDiagnostics.parse(stored);
}

/** Diagnostics as a JSON column value: null when there are none, so "no warnings" is one value. */
export function diagnosticsColumn(diagnostics: readonly WorkflowDiagnostic[] | undefined): Prisma.InputJsonArray | undefined {
  if (!diagnostics || diagnostics.length === 0) return undefined;
  return diagnostics.map(({ file, line, col, code, message, severity }) => ({ file, line, col, code, message, severity }));
}
