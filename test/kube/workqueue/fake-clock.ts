import type { Clock } from '../../../src/kube/workqueue/index.js';

/** A fake scheduler: time moves only through `advance`, and timers fire in time order. */
export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, firing due timers (each sees `now()` equal to its due time). */
  advance(ms: number): void;
  /** Timers scheduled and not yet fired or cancelled. */
  pending(): number;
}

export function createFakeClock(start = 1_700_000_000_000): FakeClock {
  let t = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const nextDue = (until: number): [number, { at: number; fn: () => void }] | undefined => {
    let best: [number, { at: number; fn: () => void }] | undefined;
    for (const entry of timers) {
      if (entry[1].at <= until && (best === undefined || entry[1].at < best[1].at)) best = entry;
    }
    return best;
  };
  return {
    now: () => t,
    setTimer(fn, ms) {
      const id = seq++;
      timers.set(id, { at: t + Math.max(0, ms), fn });
      return () => void timers.delete(id);
    },
    advance(ms) {
      const until = t + ms;
      for (let due = nextDue(until); due !== undefined; due = nextDue(until)) {
        timers.delete(due[0]);
        t = due[1].at;
        due[1].fn();
      }
      t = until;
    },
    pending: () => timers.size,
  };
}

/** Lets pending promise callbacks run (no timers involved). */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await Promise.resolve();
}
