// A path the safe-fs layer refused becomes a step's error (naming the path) instead of a crash of the runner.
import { UnsafePathError } from "./safe-fs";

/** Runs a safe-fs operation; a path it refused becomes the step's error (naming the path) instead of a crash. */
export function refusedPath<T>(operation: () => T): { ok: true; value: T } | { ok: false; error: string } {
  try {
    return { ok: true, value: operation() };
  } catch (error) {
    if (error instanceof UnsafePathError) return { ok: false, error: error.message };
    throw error;
  }
}
