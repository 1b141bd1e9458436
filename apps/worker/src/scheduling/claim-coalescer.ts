import type { FairScheduler } from "./fair-scheduler";
import type { Claim } from "./types";

type Waiter = { nowMs: number; resolve: (claim: Claim | null) => void; reject: (error: unknown) => void };

/**
 * Coalesces concurrent claims for a pool into one `claimMany` script call: while a call is in flight, newly
 * arriving runners queue, and the next call serves all of them (up to maxBatch). Each runner still gets exactly
 * what a lone `claim` would have given it in that order; the fairness decision is unchanged, only round trips drop.
 */
export class ClaimCoalescer {
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly scheduler: FairScheduler,
    private readonly maxBatch = 200,
  ) {}

  claim(poolId: string, nowMs: number): Promise<Claim | null> {
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(poolId) ?? [];
      queue.push({ nowMs, resolve, reject });
      this.waiting.set(poolId, queue);
      if (!this.inFlight.has(poolId)) this.flush(poolId);
    });
  }

  private flush(poolId: string): void {
    const queue = this.waiting.get(poolId) ?? [];
    const batch = queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    this.inFlight.add(poolId);
    // The latest clock among the batch: no waiter is served "before" it asked.
    const nowMs = batch.reduce((latest, w) => Math.max(latest, w.nowMs), 0);
    this.scheduler
      .claimMany(poolId, nowMs, batch.length)
      .then(
        (claims) => batch.forEach((w, i) => w.resolve(claims[i] ?? null)),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        this.inFlight.delete(poolId);
        this.flush(poolId);
      });
  }
}
