import { createFakeScheduler } from './fake-scheduler.js';
import type { Clock } from '../../src/clock/index.js';

/** A fake scheduler: time moves only through `advance`, and timers fire in time order. */
export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, firing due timers (each sees `now()` equal to its due time). */
  advance(ms: number): void;
  /** Timers scheduled and not yet fired or cancelled. */
  pending(): number;
}

export function createFakeClock(start = 1_700_000_000_000): FakeClock {
  const scheduler = createFakeScheduler(start);
  return {
    now: scheduler.now,
    setTimer: scheduler.setTimer,
    advance(ms) {
      const until = scheduler.now() + ms;
      while (scheduler.fireNext(until));
      scheduler.moveTo(until);
    },
    pending: scheduler.pending,
  };
}

/** Lets pending promise callbacks run (no timers involved). */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await Promise.resolve();
}
