// The engine's one source of "now" for the decisions it makes in code (a lease lapsed, a retry's backoff is over, a
// timer's delay, a wait timer passed, a runner seen lately): the process's clock in production, a clock a test moves
// (@gantry/testing manualClock) so leases and timers are tested without sleeping or editing rows. What Postgres
// stamps itself (an attempt's lease on a claim or a beat, finishedAt) stays on the database's clock.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
