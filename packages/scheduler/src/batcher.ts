export type Waiter<T> = { resolve: (value: T) => void; reject: (error: unknown) => void };

/**
 * Per-pool request queues drained by batched calls: requests made in the same tick share a call, and while
 * `maxInFlight` calls are out, newcomers wait and go together in the next one (fewer round trips as load grows).
 */
export class Batcher<W extends Waiter<never>> {
  private readonly waiting = new Map<string, W[]>();
  private readonly inFlight = new Map<string, number>();
  private readonly scheduled = new Set<string>();

  constructor(
    private readonly maxBatch: number,
    private readonly maxInFlight: number,
    private readonly run: (poolId: string, batch: W[]) => Promise<void>,
  ) {}

  add(poolId: string, waiter: W): void {
    const queue = this.waiting.get(poolId) ?? [];
    queue.push(waiter);
    this.waiting.set(poolId, queue);
    this.schedule(poolId);
  }

  private schedule(poolId: string): void {
    if (this.scheduled.has(poolId) || (this.inFlight.get(poolId) ?? 0) >= this.maxInFlight) return;
    this.scheduled.add(poolId);
    queueMicrotask(() => {
      this.scheduled.delete(poolId);
      this.flush(poolId);
    });
  }

  private flush(poolId: string): void {
    const batch = (this.waiting.get(poolId) ?? []).splice(0, this.maxBatch);
    if (batch.length === 0) return;
    this.inFlight.set(poolId, (this.inFlight.get(poolId) ?? 0) + 1);
    this.run(poolId, batch)
      .catch((error: unknown) => batch.forEach((w) => w.reject(error)))
      .finally(() => {
        this.inFlight.set(poolId, (this.inFlight.get(poolId) ?? 1) - 1);
        this.schedule(poolId);
      });
    // More than one batch queued and room for another call: start it too.
    if ((this.waiting.get(poolId)?.length ?? 0) > 0) this.schedule(poolId);
  }
}
