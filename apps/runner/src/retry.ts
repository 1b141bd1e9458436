// Retrying a protocol call through transient trouble: network errors, 5xx and 429 are tried again with capped,
// jittered backoff until `retryForMs` has passed or the attempt is killed; a refusal (other 4xx) throws at once.
import { setTimeout as sleep } from "node:timers/promises";
import { backoffMs } from "./backoff";
import { ProtocolError } from "./protocol-client";

export interface RetryOptions {
  /** Aborts when the attempt belongs to nobody any more: stop retrying. */
  kill: AbortSignal;
  log: (line: string) => void;
  /** How long one call is retried before the last error is thrown. */
  retryForMs: number;
}

export async function retryTransient<T>(what: string, send: () => Promise<T>, options: RetryOptions): Promise<T> {
  const deadline = Date.now() + options.retryForMs;
  for (let failures = 0; ; failures++) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof ProtocolError) || !error.retryable || Date.now() > deadline || options.kill.aborted) throw error;
      const delay = backoffMs(failures, Math.random, 200, 5_000);
      options.log(`runner: ${what}: ${error.message}; retrying in ${delay} ms`);
      await sleep(delay, undefined, { signal: options.kill }).catch(() => undefined);
    }
  }
}
