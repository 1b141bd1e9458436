// The event payloads of runs claimed a moment ago, per database: every job of a run has the same `github.event`,
// and a 256-cell matrix read (and re-checked, and measured) the same delivery once per claim. A delivery's payload
// does not change once stored; entries still expire after a minute so retention's redaction is seen, and the map
// keeps only the latest few runs' events.
import type { Database } from "@gantry/db";

const KEEP_MS = 60_000;
const MAX_ENTRIES = 32;

export class RecentEvents {
  private readonly entries = new Map<string, { at: number; event: Promise<Record<string, unknown>> }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(key: string, read: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
    const kept = this.entries.get(key);
    if (kept && this.now() - kept.at < KEEP_MS) return kept.event;
    const event = read();
    this.entries.delete(key);
    this.entries.set(key, { at: this.now(), event });
    // A failed read is not kept: the next claim asks again.
    event.catch(() => this.entries.get(key)?.event === event && this.entries.delete(key));
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    return event;
  }
}

const byDatabase = new WeakMap<Database, RecentEvents>();

export function recentEvents(database: Database): RecentEvents {
  let events = byDatabase.get(database);
  if (!events) byDatabase.set(database, (events = new RecentEvents()));
  return events;
}
