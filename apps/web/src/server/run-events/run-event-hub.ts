// The web process's one listener for run changes (docs/web.md "Live run list"). The engine rings a tenant's doorbell
// (runEventsChannel) after anything that may have changed a run; this hub holds ONE subscriber connection for every
// watcher in the process, subscribes to a tenant's channel while someone watches it, and on a ring reads the tenant's
// new run transitions from Postgres once, for all of them. Postgres is the truth: pub/sub is at-most-once, so each
// watched tenant is also re-read every `fallbackMs`, and after the subscriber reconnects.
//
// Transition ids come from a sequence, so a change can commit after one with a higher id was read. The hub re-reads a
// window of `lookback` ids below the newest it saw and sends the rows it has not sent yet, so a late commit still
// arrives (its own ring, published after its commit, makes the hub look).
//
// Job status changes (JobRun transitions, in the same id sequence) are read with the runs' and carried in `jobs`: the
// run page's stream (run-page-stream.ts) follows one run's jobs through them; the Runs page ignores them.
import { jobChangesAfter, runChangesAfter, runEventsChannel, runMark, type Database, type RunMark, type RunStatus, type TenantClient } from "@gantry/db";
import type { Redis } from "ioredis";

export interface RunEvent {
  /** Where the tenant's history stands after this event: resume from it (the SSE id, runEventCursor). */
  cursor: string;
  /** Runs whose status changed, oldest change first. */
  changed: { runId: string; status: RunStatus }[];
  /** A run was created since the last event. */
  created: boolean;
  /** Jobs whose status changed, oldest change first, each with its run. */
  jobs: { runId: string; jobId: string; status: RunStatus }[];
}

interface Taken {
  changed: RunEvent["changed"];
  created: boolean;
  jobs: RunEvent["jobs"];
}

export type RunEventListener = (event: RunEvent) => void;

interface Watched {
  listeners: Set<RunEventListener>;
  /** Subscribed and the starting mark read. */
  ready: Promise<void>;
  mark: RunMark;
  /** Transition ids already sent, within the lookback window. */
  sent: Set<bigint>;
  checking: Promise<void> | null;
  again: boolean;
}

const CHANGES_PER_READ = 500;

/** A mark as an opaque string: `<transition id>:<newest run id>`. */
export function runEventCursor(mark: RunMark): string {
  return `${mark.transitionId}:${mark.newestRunId ?? ""}`;
}

export function parseRunEventCursor(cursor: string | null): RunMark | null {
  const match = /^(\d{1,19}):([A-Za-z0-9_-]{0,100})$/.exec(cursor ?? "");
  return match?.[1] === undefined ? null : { transitionId: BigInt(match[1]), newestRunId: match[2] || null };
}

export interface RunEventHubOptions {
  /** A connection of its own (subscriber mode); close() quits it. */
  subscriber: Redis;
  /** The queue prefix the engine publishes under (GANTRY_QUEUE_PREFIX). */
  prefix: string;
  database: Database;
  fallbackMs?: number;
  lookback?: bigint;
}

export class RunEventHub {
  private readonly tenants = new Map<string, Watched>();
  private readonly byChannel = new Map<string, string>();
  private readonly fallback: NodeJS.Timeout;
  private readonly lookback: bigint;
  private connectedOnce = false;

  constructor(private readonly options: RunEventHubOptions) {
    this.lookback = options.lookback ?? 1_000n;
    options.subscriber.on("message", (channel: string) => {
      const tenantId = this.byChannel.get(channel);
      if (tenantId) this.check(tenantId);
    });
    // What was published while the connection was down is gone: look now.
    options.subscriber.on("ready", () => {
      if (this.connectedOnce) for (const tenantId of this.tenants.keys()) this.check(tenantId);
      this.connectedOnce = true;
    });
    this.fallback = setInterval(() => {
      for (const tenantId of this.tenants.keys()) this.check(tenantId);
    }, options.fallbackMs ?? 10_000);
    this.fallback.unref();
  }

  /** Starts calling `listener` with the tenant's run changes; resolves with where its history stands now. */
  async watch(tenantId: string, listener: RunEventListener): Promise<{ mark: RunMark; stop: () => void }> {
    let watched = this.tenants.get(tenantId);
    if (!watched) {
      const created: Watched = { listeners: new Set(), ready: Promise.resolve(), mark: { transitionId: 0n, newestRunId: null }, sent: new Set(), checking: null, again: false };
      const channel = runEventsChannel(this.options.prefix, tenantId);
      this.byChannel.set(channel, tenantId);
      created.ready = (async () => {
        // Subscribed before the mark is read, so a change between the two rings after it.
        await this.options.subscriber.subscribe(channel);
        created.mark = await runMark(this.scoped(tenantId));
        // The window's changes are history already: taken, not sent.
        await this.take(tenantId, created);
      })();
      this.tenants.set(tenantId, created);
      watched = created;
      created.ready.catch(() => this.forget(tenantId, created));
    }
    watched.listeners.add(listener);
    const current = watched;
    try {
      await current.ready;
    } catch (error) {
      current.listeners.delete(listener);
      throw error;
    }
    return {
      mark: current.mark,
      stop: () => {
        current.listeners.delete(listener);
        if (current.listeners.size === 0 && this.tenants.get(tenantId) === current) this.forget(tenantId, current);
      },
    };
  }

  /** Watchers per tenant now (for tests and the health page). */
  watchers(tenantId: string): number {
    return this.tenants.get(tenantId)?.listeners.size ?? 0;
  }

  /** Reads the tenant's changes now, as a ring would (coalesced: one read at a time, one more if rung meanwhile). */
  check(tenantId: string): void {
    const watched = this.tenants.get(tenantId);
    if (!watched) return;
    if (watched.checking) {
      watched.again = true;
      return;
    }
    watched.checking = (async () => {
      do {
        watched.again = false;
        await watched.ready;
        await this.read(tenantId, watched);
      } while (watched.again && this.tenants.get(tenantId) === watched);
    })()
      .catch(() => undefined) // Postgres unreachable: the next ring or the fallback tries again.
      .finally(() => {
        watched.checking = null;
      });
  }

  async close(): Promise<void> {
    clearInterval(this.fallback);
    this.tenants.clear();
    this.byChannel.clear();
    await this.options.subscriber.quit().catch(() => undefined);
  }

  /** The tenant's run and job changes in the window not taken yet (taken now), and whether a run was created. */
  private async take(tenantId: string, watched: Watched): Promise<Taken> {
    const scoped = this.scoped(tenantId);
    const from = watched.mark.transitionId > this.lookback ? watched.mark.transitionId - this.lookback : 0n;
    const [runRows, jobRows] = await Promise.all([readAll(from, (after) => runChangesAfter(scoped, after, CHANGES_PER_READ)), readAll(from, (after) => jobChangesAfter(scoped, after, CHANGES_PER_READ))]);
    let highest = watched.mark.transitionId;
    const fresh = <R extends { id: bigint }>(row: R) => {
      if (watched.sent.has(row.id)) return false;
      watched.sent.add(row.id);
      if (row.id > highest) highest = row.id;
      return true;
    };
    const changed = runRows.filter(fresh).map((row) => ({ runId: row.runId, status: row.status }));
    const jobs = jobRows.filter(fresh).map((row) => ({ runId: row.runId, jobId: row.jobId, status: row.status }));
    for (const id of watched.sent) if (id <= highest - this.lookback) watched.sent.delete(id);
    const newest = (await runMark(scoped)).newestRunId;
    const created = newest !== watched.mark.newestRunId;
    watched.mark = { transitionId: highest, newestRunId: newest };
    return { changed, created, jobs };
  }

  private async read(tenantId: string, watched: Watched): Promise<void> {
    const { changed, created, jobs } = await this.take(tenantId, watched);
    if (changed.length === 0 && !created && jobs.length === 0) return;
    const event: RunEvent = { cursor: runEventCursor(watched.mark), changed, created, jobs };
    for (const listener of watched.listeners) {
      try {
        listener(event);
      } catch {
        // One watcher's failure is its own.
      }
    }
  }

  private scoped(tenantId: string): TenantClient {
    return this.options.database.forTenant({ tenantId, actor: { kind: "SYSTEM", id: "run-events" } });
  }

  private forget(tenantId: string, watched: Watched): void {
    if (this.tenants.get(tenantId) !== watched) return;
    this.tenants.delete(tenantId);
    const channel = runEventsChannel(this.options.prefix, tenantId);
    this.byChannel.delete(channel);
    void this.options.subscriber.unsubscribe(channel).catch(() => undefined);
  }
}

/** Every row above `after`, page by page (rows come oldest first, `CHANGES_PER_READ` a page). */
async function readAll<R extends { id: bigint }>(after: bigint, page: (after: bigint) => Promise<R[]>): Promise<R[]> {
  const all: R[] = [];
  for (;;) {
    const rows = await page(after);
    all.push(...rows);
    const last = rows.at(-1);
    if (rows.length < CHANGES_PER_READ || !last) return all;
    after = last.id;
  }
}
