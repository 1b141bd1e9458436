// A clock a test moves by hand: give it to what takes a `Clock` (the run engine's `createEngine({ clock })`), then
// advance it past a lease, a backoff or a timer instead of sleeping. Structural, so @gantry/testing needs no import
// of the engine.
export interface ManualClock {
  now(): number;
  /** Moves the clock forward (never back: leases and timers only go forward in time). */
  advance(ms: number): void;
}

export function manualClock(startMs: number = Date.now()): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    advance(ms) {
      if (!(ms >= 0)) throw new Error(`a manual clock only moves forward (asked to move by ${ms} ms)`);
      current += ms;
    },
  };
}
