/** A problem found in a workflow file. Lines and columns are 1-based; 0:0 means "whole file". */
export interface WorkflowError {
  file: string;
  line: number;
  col: number;
  /** Stable machine-readable code, e.g. `unknown-key`, `needs-cycle`, `expression-syntax`. */
  code: string;
  /** One line, lower case, names the valid choices where there are some. */
  message: string;
  severity: "error" | "warning";
}

export interface Pos {
  line: number;
  col: number;
}

/** Collects errors for one file; rules push into it and never throw. */
export class ErrorSink {
  readonly errors: WorkflowError[] = [];
  constructor(readonly file: string) {}

  error(pos: Pos, code: string, message: string): void {
    this.push(pos, code, message, "error");
  }

  warn(pos: Pos, code: string, message: string): void {
    this.push(pos, code, message, "warning");
  }

  push(pos: Pos, code: string, message: string, severity: WorkflowError["severity"]): void {
    this.errors.push({ file: this.file, line: pos.line, col: pos.col, code, message, severity });
  }
}

/** Deterministic order: file, line, col, code, message. Exact duplicates are dropped. */
export function sortErrors(errors: readonly WorkflowError[]): WorkflowError[] {
  const sorted = [...errors].sort(
    (a, b) =>
      cmp(a.file, b.file) || a.line - b.line || a.col - b.col || cmp(a.code, b.code) || cmp(a.message, b.message),
  );
  return sorted.filter(
    (e, i) =>
      i === 0 || !sameError(e, sorted[i - 1]),
  );
}

function sameError(a: WorkflowError, b: WorkflowError | undefined): boolean {
  return !!b && a.file === b.file && a.line === b.line && a.col === b.col && a.code === b.code && a.message === b.message;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function hasErrors(errors: readonly WorkflowError[]): boolean {
  return errors.some((e) => e.severity === "error");
}
