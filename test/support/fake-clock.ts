import { createFakeScheduler } from './fake-scheduler.js';
import type { Clock } from '../../src/clock/index.js';

/** Fake time over the fake scheduler: time moves only through `advance`, and timers fire in time order. */
export interface FakeClockOf<Advanced> extends Clock {
  /** Moves time forward by `ms`, firing due timers (each sees `now()` equal to its due time). */
  advance(ms: number): Advanced;
  /** Timers scheduled and not yet fired or cancelled. */
  pending(): number;
}

/** Fires timers back to back, synchronously: for code whose timer callbacks do not await. */
export type FakeClock = FakeClockOf<void>;
/** Lets promise callbacks (and a macrotask turn) run between timers: for async code such as a reflector. */
export type SettlingClock = FakeClockOf<Promise<void>>;

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

export function createSettlingClock(start = 1_767_322_800_000): SettlingClock {
  const scheduler = createFakeScheduler(start);
  return {
    now: scheduler.now,
    setTimer: scheduler.setTimer,
    async advance(ms) {
      const until = scheduler.now() + ms;
      await settle();
      while (scheduler.fireNext(until)) await settle();
      scheduler.moveTo(until);
      await settle();
    },
    pending: scheduler.pending,
  };
}

/** Lets pending promise callbacks run (no timers involved). */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await Promise.resolve();
}

/** Lets pending promise callbacks and a few macrotask turns (I/O callbacks of streams) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}
