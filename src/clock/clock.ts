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

/**
 * Node.js fires a `setTimeout` longer than 2^31-1 ms after 1 ms (with a warning): a requeue
 * computed from a huge `terminationGracePeriodSeconds` would spin. Longer timers are clamped;
 * the workqueue re-arms for what is left when an early timer finds nothing due.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** The production clock: `Date.now` and `setTimeout` with `unref()`. */
export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    setTimer(fn, ms) {
      const timer = setTimeout(fn, Math.min(MAX_TIMER_MS, Math.max(0, Number.isFinite(ms) ? ms : MAX_TIMER_MS)));
      // A queued retry must never be the reason the process is still running at exit.
      timer.unref();
      return () => clearTimeout(timer);
    },
  };
}
