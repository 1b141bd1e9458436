/** Exponential backoff with full jitter, capped: the delay before retry number `attempt` (0-based). */
export function backoffMs(attempt: number, random: () => number = Math.random, baseMs = 500, capMs = 30_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.floor(random() * ceiling);
}
