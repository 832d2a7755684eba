import type { Clock } from '../../src/clock/index.js';

/**
 * Fake time for unit tests: time moves only when a test says so, and timers fire in time
 * order, each seeing `now()` equal to its due time. The wrappers decide what runs between
 * timers (nothing, or pending promise callbacks).
 */
export interface FakeScheduler extends Clock {
  /** Fires the earliest timer due at or before `until`, moving time to it; false when none is due. */
  fireNext(until: number): boolean;
  /** Moves time to `t` without firing anything (callers fire what is due first). */
  moveTo(t: number): void;
  /** Timers scheduled and not yet fired or cancelled. */
  pending(): number;
}

export function createFakeScheduler(start: number): FakeScheduler {
  let t = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => t,
    setTimer(fn, ms) {
      const id = seq++;
      timers.set(id, { at: t + Math.max(0, ms), fn });
      return () => void timers.delete(id);
    },
    fireNext(until) {
      let best: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of timers) if (entry[1].at <= until && (best === undefined || entry[1].at < best[1].at)) best = entry;
      if (best === undefined) return false;
      timers.delete(best[0]);
      t = best[1].at;
      best[1].fn();
      return true;
    },
    moveTo(next) {
      t = next;
    },
    pending: () => timers.size,
  };
}
