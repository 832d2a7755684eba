/**
 * The time seam of the workqueue and the controller loop: production uses the wall clock and
 * Node timers, unit tests a fake scheduler, so nothing in a unit test sleeps for real.
 */
export interface Clock {
  /** Current time, ms since the epoch. */
  now(): number;
  /**
   * Calls `fn` once after `ms` milliseconds; returns a function that cancels the call.
   * Implementations must not keep the process alive for a pending call (STYLE 10).
   */
  setTimer(fn: () => void, ms: number): () => void;
}

/** The production clock: `Date.now` and `setTimeout` with `unref()`. */
export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    setTimer(fn, ms) {
      const timer = setTimeout(fn, Math.max(0, ms));
      // A queued retry must never be the reason the process is still running at exit.
      timer.unref();
      return () => clearTimeout(timer);
    },
  };
}
