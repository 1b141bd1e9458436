// Turns a job's masked output into ordered chunks for the control plane: cut every 100 ms or 64 KiB,
// whichever first, each with a sequence number, timestamp and step index. Chunks go to an async sink in
// batches: everything cut while a batch was in flight goes in the next (so a busy job's output travels 2 MiB per
// round trip, an idle job's line alone), and a second full batch goes out without waiting for the first (two
// requests in flight: the control plane stores them in order). When the sink is slow, write() waits (bounded
// memory), which in turn stops reading the sandbox's pipe. Past the per-job cap, output is dropped after one
// marker line.

import { LOG_BATCH_MAX_CHUNKS, logTruncationMarker } from "@gantry/runner-protocol";

export interface LogChunk {
  seq: number;
  /** Milliseconds since the epoch when the chunk's first byte was written. */
  timestamp: number;
  stepIndex: number;
  /** UTF-8 text with ANSI escapes as printed. */
  data: string;
}

/** Takes consecutive chunks, in order; resolves once they are stored. */
export type LogSink = (chunks: LogChunk[]) => Promise<void>;

export interface LogStreamOptions {
  sink: LogSink;
  flushIntervalMs?: number;
  maxChunkBytes?: number;
  /** Chunks cut but not yet accepted by the sink before write() waits. */
  maxQueuedChunks?: number;
  /** Most chunks in one sink call. */
  maxBatchChunks?: number;
  /** Sink calls at once (default 2); a call beyond the first carries a full batch. */
  maxInFlight?: number;
  maxJobBytes?: number;
  now?: () => number;
}

export const truncationMarker = logTruncationMarker;

/** The largest prefix of `bytes` no longer than `limit` that does not split a UTF-8 character. */
function utf8Cut(bytes: Buffer, limit: number): number {
  if (limit >= bytes.length) return bytes.length;
  let cut = limit;
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return cut;
}

function nextBoundary(bytes: Buffer): number {
  let i = 1;
  while (i < bytes.length && ((bytes[i] ?? 0) & 0xc0) === 0x80) i++;
  return i;
}

/** How long an idle stream waits to coalesce a burst of writes before sending (busy streams use the interval). */
const IDLE_FLUSH_MS = 5;

export class LogStream {
  private readonly sink: LogSink;
  private readonly flushIntervalMs: number;
  private readonly maxChunkBytes: number;
  private readonly maxQueued: number;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly maxJobBytes: number;
  private readonly now: () => number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingStep = -1;
  private pendingSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly queue: LogChunk[] = [];
  private draining: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private queueGrew: (() => void) | undefined;
  private waiters: (() => void)[] = [];
  private failure: unknown;
  private seq = 0;
  private total = 0;
  private endsWithNewline = true;
  private cut = false;

  constructor(options: LogStreamOptions) {
    this.sink = options.sink;
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.maxChunkBytes = options.maxChunkBytes ?? 64 * 1024;
    this.maxQueued = options.maxQueuedChunks ?? LOG_BATCH_MAX_CHUNKS;
    this.maxBatch = options.maxBatchChunks ?? LOG_BATCH_MAX_CHUNKS;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 2);
    this.maxJobBytes = options.maxJobBytes ?? 64 * 1024 * 1024;
    this.now = options.now ?? Date.now;
  }

  get truncated(): boolean {
    return this.cut;
  }

  /** Bytes accepted so far (not counting the truncation marker). */
  get bytes(): number {
    return this.total;
  }

  async write(stepIndex: number, text: string): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.cut || text === "") return;
    if (stepIndex !== this.pendingStep) this.flushPending();
    let bytes = Buffer.from(text);
    const room = this.maxJobBytes - this.total;
    const overCap = bytes.length > room;
    if (overCap) bytes = bytes.subarray(0, utf8Cut(bytes, room));
    this.total += bytes.length;
    while (bytes.length > 0) {
      let take = utf8Cut(bytes, this.maxChunkBytes - this.pendingBytes);
      if (take === 0 && this.pendingBytes > 0) {
        // The next character does not fit: close this chunk and start the next with it.
        this.flushPending();
        await this.room();
        continue;
      }
      // A chunk smaller than one character still carries the whole character.
      if (take === 0) take = nextBoundary(bytes);
      this.append(stepIndex, bytes.subarray(0, take));
      bytes = bytes.subarray(take);
      if (this.pendingBytes >= this.maxChunkBytes) {
        this.flushPending();
        await this.room();
      }
    }
    if (overCap) {
      this.cut = true;
      const marker = (this.endsWithNewline ? "" : "\n") + truncationMarker(this.maxJobBytes);
      this.flushPending();
      this.append(stepIndex, Buffer.from(marker));
      this.flushPending();
    }
    await this.room();
  }

  /** Flushes what is pending and waits until the sink has taken every chunk. */
  async close(): Promise<void> {
    this.flushPending();
    while (this.draining) await this.draining;
    if (this.failure !== undefined) throw this.failure;
  }

  private append(stepIndex: number, bytes: Buffer): void {
    if (this.pendingBytes === 0) {
      this.pendingStep = stepIndex;
      this.pendingSince = this.now();
      // An idle stream sends after a moment's coalescing (the first line of a job should not wait 100 ms); while a
      // send is in flight, output batches until it returns (drain takes it then) or the interval passes.
      const idle = this.draining === undefined && this.queue.length === 0;
      this.timer = setTimeout(() => this.flushPending(), idle ? Math.min(IDLE_FLUSH_MS, this.flushIntervalMs) : this.flushIntervalMs);
    }
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.endsWithNewline = bytes[bytes.length - 1] === 0x0a;
  }

  private flushPending(): void {
    const chunk = this.takePending();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!chunk) return;
    this.queue.push(chunk);
    this.draining ??= this.drain();
    this.queueGrew?.();
  }

  /** What accumulated while the last chunk was being sent, as the next chunk (batching while busy). */
  private takePending(): LogChunk | undefined {
    if (this.pendingBytes === 0) return undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const chunk = { seq: this.seq++, timestamp: this.pendingSince, stepIndex: this.pendingStep, data: Buffer.concat(this.pending).toString() };
    this.pending = [];
    this.pendingBytes = 0;
    return chunk;
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        // Another send starts beside one in flight only for a full batch: a trickle still batches behind it.
        const canSend = this.inFlight.size === 0 || (this.inFlight.size < this.maxInFlight && this.queue.length >= this.maxBatch);
        const batch = canSend ? this.nextBatch() : [];
        if (batch.length > 0) {
          this.wake();
          if (this.failure === undefined) {
            const sending: Promise<void> = this.sink(batch)
              .catch((error: unknown) => {
                this.failure ??= error;
              })
              .finally(() => this.inFlight.delete(sending));
            this.inFlight.add(sending);
          }
          continue;
        }
        if (this.inFlight.size === 0) break;
        // Until a send returns or more output is queued.
        await new Promise<void>((resolve) => {
          this.queueGrew = resolve;
          void Promise.race(this.inFlight).then(resolve);
        });
        this.queueGrew = undefined;
      }
    } finally {
      this.draining = undefined;
      this.wake();
    }
  }

  /** The queued chunks, up to a batch, and what is pending if there is room (it accumulated during the last send). */
  private nextBatch(): LogChunk[] {
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length < this.maxBatch && this.queue.length === 0) {
      const pending = this.takePending();
      if (pending) batch.push(pending);
    }
    return batch;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private async room(): Promise<void> {
    while (this.queue.length >= this.maxQueued && this.failure === undefined) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure !== undefined) throw this.failure;
  }
}
