// The one polling helper of every test suite: wait for a probe to answer instead of sleeping a fixed time, against
// a deadline that names what it waited for (and, when given, what the system said meanwhile).

export interface UntilOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** How often to ask (default 20 ms). */
  intervalMs?: number;
  /** Added to the timeout error: what the system was doing (a process's output, a run's state). */
  context?: () => string;
}

/** Not an answer yet: undefined, null, false, or an empty string. Anything else (0 included) is the answer. */
type Pending = undefined | null | false | "";

/** Polls `probe` until it answers, or throws `timed out waiting for <what>` after the timeout. */
export async function until<T>(what: string, probe: () => T | Pending | Promise<T | Pending>, options: number | UntilOptions = {}): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 20, context } = typeof options === "number" ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false && value !== "") return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${context ? `\n${context()}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
