// Group commit: items submitted by concurrent callers are written together. While `maxInFlight` batches are being
// written, newcomers wait and go into the next batch — so an idle server writes an item at once, and a busy one
// writes fewer, larger batches (one round trip for many) instead of queueing one round trip per item behind the
// pool. Not dataloader: it batches per event-loop tick, which under load still sends many one-item batches.
interface Waiting<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** Batches written at once (each holds a connection while it is written). */
  maxInFlight: number;
  /** Items in one batch at most. */
  maxBatch: number;
}

export class GroupCommit<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private inFlight = 0;

  /** `write` answers one result per item, in order; when it throws, every item of that batch fails with it. */
  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      void this.writeBatch(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async writeBatch(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const results = await this.write(batch.map((waiting) => waiting.item));
      if (results.length !== batch.length) throw new Error(`group commit: ${batch.length} items written, ${results.length} results`);
      batch.forEach((waiting, index) => waiting.resolve(results[index] as O));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
