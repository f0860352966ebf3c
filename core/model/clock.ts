// The time of day as a seam. Code that measures durations or compares ages
// (the run queue's task timings, `strata cache prune --older-than`) asks a
// Clock instead of calling Date.now(), so a test can run "30 days later"
// by moving a fake clock instead of sleeping or touching file times.

export interface Clock {
  /** Milliseconds since the Unix epoch, like Date.now(). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to: for tests. */
export class FakeClock implements Clock {
  constructor(private ms = 0) {}

  now(): number {
    return this.ms;
  }

  /** Moves the clock forward (a negative amount is a bug in the test). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`bug: a clock does not go back (advance by ${ms})`);
    this.ms += ms;
  }

  set(ms: number): void {
    this.ms = ms;
  }
}
