// Wakes long-polling claims the moment a pool has work, instead of letting them poll on a timer (issue #15).
// The scheduler publishes on a per-pool channel whenever a job becomes claimable (enqueue, a release that frees a
// slot, a rebuild); each web process holds ONE subscriber connection and hands the wakes to the claims it is
// holding open for that pool. Redis pub/sub is at-most-once (a message sent while the subscriber reconnects is
// gone), so a waiting claim also re-checks on a fallback interval: a lost message costs latency, never a stall.
import type { Redis } from "ioredis";
import { z } from "zod";
import { poolBase } from "./keys";

/**
 * The pool's wake channel: `<prefix>:{pool:<poolId>}:ready`. Under the queue prefix, so two platforms sharing one
 * Redis under different prefixes never wake each other; in the pool's hash tag, like its keys.
 */
export function readyChannel(prefix: string, poolId: string): string {
  return `${poolBase(prefix, poolId)}:ready`;
}

/** Tells the pool's waiting claims that `count` jobs became claimable (one PUBLISH; no-op for count 0). */
export async function announceReady(redis: Redis, prefix: string, poolId: string, count: number): Promise<void> {
  if (count > 0) await redis.publish(readyChannel(prefix, poolId), String(count));
}

/**
 * How many waiting claims a message wakes. `per-job` (default): as many as the message announces jobs, oldest
 * waiter first, so one enqueue into a pool with 256 idle slots costs one claim, not 256 (the thundering herd;
 * docs/runner-protocol.md has the measurements). `all`: every waiter; each claim is atomic, the losers wait again.
 */
export type WakePolicy = "per-job" | "all";

export interface ReadyWaiterOptions {
  /** A connection of its own: in subscriber mode it can send nothing else. The waiter subscribes it; close() quits it. */
  subscriber: Redis;
  /** The queue prefix the scheduler publishes under (GANTRY_QUEUE_PREFIX). */
  prefix: string;
  wake?: WakePolicy;
  /**
   * Claims of one pool that may look at the queue at once in this process (`inTurn`); the rest queue for a turn.
   * Woken together (a 256-cell matrix wakes 256 claims), they would all open a Postgres transaction on a pool of ~10
   * connections and time out waiting for one (Prisma P2028); in turn they finish sooner. Default 8.
   */
  claimTurns?: number;
}

interface Waiting {
  resolve: (woken: boolean) => void;
  timer: NodeJS.Timeout;
}

interface PoolWaiters {
  /** Messages (and reconnects) seen for the pool: a claim that read `mark` before it looked at the queue wakes at once if this moved since. */
  seen: number;
  /** Resolves once the channel's subscription is confirmed (a message published before that is not delivered). */
  subscribed: Promise<void>;
  /** Oldest first. */
  waiting: Waiting[];
}

// A message is a positive count of jobs; anything else (another writer on the channel) reads as one.
const countSchema = z.coerce.number().int().min(1).max(1_000_000).catch(1);

/**
 * The process's one subscriber: `mark(pool)` before a claim looks at the queue, then `wait(pool, mark, ms)` if it
 * found nothing. A wake that arrives between the two (mid-claim) is not lost: the wait returns at once.
 */
export class ReadyWaiter {
  private readonly subscriber: Redis;
  private readonly prefix: string;
  private readonly policy: WakePolicy;
  private readonly pools = new Map<string, PoolWaiters>();
  private readonly byChannel = new Map<string, PoolWaiters>();
  private connectedOnce = false;
  private readonly claimTurns: number;
  private readonly turns = new Map<string, { running: number; queued: (() => void)[] }>();

  constructor(options: ReadyWaiterOptions) {
    this.subscriber = options.subscriber;
    this.prefix = options.prefix;
    this.policy = options.wake ?? "per-job";
    this.claimTurns = z.number().int().min(1).parse(options.claimTurns ?? 8);
    this.subscriber.on("message", (channel: string, message: string) => {
      const pool = this.byChannel.get(channel);
      if (pool) this.wake(pool, this.policy === "all" ? Number.POSITIVE_INFINITY : countSchema.parse(message));
    });
    // ioredis subscribes again by itself after a reconnect, but what was published meanwhile is lost: every waiting
    // claim looks again now rather than at its fallback.
    this.subscriber.on("ready", () => {
      if (this.connectedOnce) for (const pool of this.pools.values()) this.wake(pool, Number.POSITIVE_INFINITY);
      this.connectedOnce = true;
    });
  }

  /** The pool's wake count now; subscribes to the pool on first use (resolves once subscribed, or failed: then only the fallback wakes). */
  async mark(poolId: string): Promise<number> {
    const pool = this.pool(poolId);
    await pool.subscribed;
    return pool.seen;
  }

  /** Resolves true when woken since `mark`, false after `ms` without a wake. */
  wait(poolId: string, mark: number, ms: number): Promise<boolean> {
    const pool = this.pool(poolId);
    if (pool.seen !== mark) return Promise.resolve(true);
    return new Promise((resolve) => {
      const entry: Waiting = {
        resolve,
        timer: setTimeout(() => {
          const at = pool.waiting.indexOf(entry);
          if (at >= 0) pool.waiting.splice(at, 1);
          resolve(false);
        }, Math.max(0, ms)),
      };
      pool.waiting.push(entry);
    });
  }

  /**
   * Runs `claim` when fewer than `claimTurns` claims of the pool are running in this process, oldest request first.
   * A claim still in line at `deadline` (epoch ms) gives up with null: its runner stops listening soon after, and a
   * job claimed for a runner that no longer listens sits assigned until its lease lapses.
   */
  async inTurn<T>(poolId: string, claim: () => Promise<T>, deadline = Number.POSITIVE_INFINITY): Promise<T | null> {
    let turns = this.turns.get(poolId);
    if (!turns) this.turns.set(poolId, (turns = { running: 0, queued: [] }));
    const pool = turns;
    if (pool.running >= this.claimTurns) {
      const got = await new Promise<boolean>((resolve) => {
        const entry = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          const at = pool.queued.indexOf(entry);
          if (at >= 0) pool.queued.splice(at, 1);
          resolve(false);
        }, Math.min(Math.max(0, deadline - Date.now()), 2_147_483_647));
        pool.queued.push(entry);
      });
      if (!got) return null;
    } else pool.running += 1;
    try {
      return await claim();
    } finally {
      // The turn passes straight to the next in line (running stays counted), or is given back.
      const next = pool.queued.shift();
      if (next) next();
      else pool.running -= 1;
    }
  }

  /** Claims waiting now, per pool (for tests and the health page). */
  waitingCount(poolId: string): number {
    return this.pools.get(poolId)?.waiting.length ?? 0;
  }

  /** Wakes every waiter (they re-check once and wait again on their own) and quits the subscriber connection. */
  async close(): Promise<void> {
    for (const pool of this.pools.values()) this.wake(pool, Number.POSITIVE_INFINITY);
    this.pools.clear();
    this.byChannel.clear();
    await this.subscriber.quit().catch(() => undefined);
  }

  private wake(pool: PoolWaiters, count: number): void {
    pool.seen += 1;
    for (let woken = 0; woken < count && pool.waiting.length > 0; woken++) {
      const entry = pool.waiting.shift();
      if (!entry) break;
      clearTimeout(entry.timer);
      entry.resolve(true);
    }
  }

  private pool(poolId: string): PoolWaiters {
    let pool = this.pools.get(poolId);
    if (!pool) {
      const channel = readyChannel(this.prefix, poolId);
      const created: PoolWaiters = { seen: 0, waiting: [], subscribed: Promise.resolve() };
      created.subscribed = this.subscriber.subscribe(channel).then(
        () => undefined,
        // Redis is unreachable: the claim itself will say so; here only forget the pool so the next claim subscribes again.
        () => {
          if (this.pools.get(poolId) === created) {
            this.pools.delete(poolId);
            this.byChannel.delete(channel);
          }
        },
      );
      this.pools.set(poolId, created);
      this.byChannel.set(channel, created);
      pool = created;
    }
    return pool;
  }
}
