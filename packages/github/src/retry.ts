// Retries a GitHub call that failed in a way worth retrying (5xx, 429, rate limits): waits what GitHub asked
// for (Retry-After, rate-limit reset), else backs off exponentially with jitter. Anything else is thrown at once.
import { GithubApiError } from "./http";

export interface RetryOptions {
  /** Tries in all, the first included (default 4). */
  attempts?: number;
  /** The first backoff (default 1 s), doubled each time, capped at maxMs (default 60 s). */
  baseMs?: number;
  maxMs?: number;
  /** How to wait; tests pass one that records and returns at once. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withRetries<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  const base = options.baseMs ?? 1_000;
  const max = options.maxMs ?? 60_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof GithubApiError) || !error.retryable || attempt >= attempts) throw error;
      const backoff = Math.min(max, base * 2 ** (attempt - 1));
      const wait = error.retryAfterMs ?? backoff / 2 + Math.random() * (backoff / 2);
      await (options.sleep ?? realSleep)(Math.min(max, wait));
    }
  }
}
