import type { FairScheduler } from "./fair-scheduler";
import { Batcher, type Waiter } from "./batcher";
import type { Claim } from "./types";

type ClaimWaiter = Waiter<Claim | null> & { nowMs: number };
type ReleaseWaiter = Waiter<boolean> & { jobId: string; ranMs: number | undefined };

/**
 * Coalesces a pool's concurrent claims into `claimMany` script calls, and its releases into `releaseMany`: requests
 * of the same tick share a call, and while `maxInFlight` calls are out, newcomers queue for the next one (up to
 * maxBatch each). Each runner still gets exactly what a lone `claim` would have given it in that order; the fairness
 * decision is unchanged, only round trips drop. Use one per connection.
 */
export class ClaimCoalescer {
  private readonly claims: Batcher<ClaimWaiter>;
  private readonly releases: Batcher<ReleaseWaiter>;

  constructor(scheduler: FairScheduler, maxBatch = 200, maxInFlight = 2) {
    this.claims = new Batcher(maxBatch, maxInFlight, async (poolId, batch) => {
      // The latest clock among the batch: no runner is served "before" it asked.
      const nowMs = batch.reduce((latest, w) => Math.max(latest, w.nowMs), 0);
      const claims = await scheduler.claimMany(poolId, nowMs, batch.length);
      batch.forEach((w, i) => w.resolve(claims[i] ?? null));
    });
    this.releases = new Batcher(maxBatch, maxInFlight, async (poolId, batch) => {
      const released = await scheduler.releaseMany(poolId, batch.map(({ jobId, ranMs }) => ({ jobId, ranMs })));
      batch.forEach((w, i) => w.resolve(released[i] ?? false));
    });
  }

  claim(poolId: string, nowMs: number): Promise<Claim | null> {
    return new Promise((resolve, reject) => this.claims.add(poolId, { nowMs, resolve, reject }));
  }

  /** The tenant is not needed: the pool knows whose claim a job is. */
  release(poolId: string, _tenantId: string, jobId: string, ranMs?: number): Promise<boolean> {
    return new Promise((resolve, reject) => this.releases.add(poolId, { jobId, ranMs, resolve, reject }));
  }
}
