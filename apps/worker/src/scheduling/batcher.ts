export type Waiter<T> = { resolve: (value: T) => void; reject: (error: unknown) => void };

/** Per-pool queues with at most one call in flight per pool; whatever queued meanwhile goes in the next call. */
export class Batcher<W extends Waiter<never>> {
  private readonly waiting = new Map<string, W[]>();
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly maxBatch: number,
    private readonly run: (poolId: string, batch: W[]) => Promise<void>,
  ) {}

  add(poolId: string, waiter: W): void {
    const queue = this.waiting.get(poolId) ?? [];
    queue.push(waiter);
    this.waiting.set(poolId, queue);
    if (!this.inFlight.has(poolId)) this.flush(poolId);
  }

  private flush(poolId: string): void {
    const batch = (this.waiting.get(poolId) ?? []).splice(0, this.maxBatch);
    if (batch.length === 0) return;
    this.inFlight.add(poolId);
    this.run(poolId, batch)
      .catch((error: unknown) => batch.forEach((w) => w.reject(error)))
      .finally(() => {
        this.inFlight.delete(poolId);
        this.flush(poolId);
      });
  }
}
