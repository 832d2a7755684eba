/**
 * The worker slots of one controller: `workers` permits, one per reconcile running. A reconcile
 * waiting on work that is not the API server's (the northbound batcher coalescing ports) hands
 * its slot back meanwhile, so `--worker-num` bounds the reconciles talking to the API server
 * and the NB batch grows with the queue instead of staying at one port per worker.
 *
 * A reconcile taking its slot back goes ahead of keys not yet started: it already holds an
 * address, and finishing it first keeps the number of half-done reconciles down.
 */
export interface Slots {
  /** Resolves once a slot is held; `resume` for a reconcile coming back from a wait. */
  acquire(resume: boolean): Promise<void>;
  /** Gives a held slot back; passed straight to the first waiter, resumes first. */
  release(): void;
  /** Resolves once a slot is free (without taking it): a key is taken from its queue only then. */
  whenFree(): Promise<void>;
}

export function createSlots(size: number): Slots {
  let free = size;
  const resumes: (() => void)[] = [];
  const starts: (() => void)[] = [];
  let watchers: (() => void)[] = [];
  return {
    acquire(resume) {
      if (free > 0 && resumes.length === 0 && (resume || starts.length === 0)) {
        free -= 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => (resume ? resumes : starts).push(resolve));
    },
    release() {
      const next = resumes.shift() ?? starts.shift();
      if (next !== undefined) return next();
      free += 1;
      const woken = watchers;
      watchers = [];
      for (const w of woken) w();
    },
    whenFree() {
      if (free > 0 && resumes.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => watchers.push(resolve));
    },
  };
}

/** What a running reconcile may do with its slot. */
export interface Slot {
  /**
   * Awaits `wait` without holding the slot: another key runs meanwhile. Resolves (or rejects) as
   * `wait` does, once a slot is held again. The key stays in processing throughout, so it is
   * never reconciled twice at once.
   */
  whileWaiting<T>(wait: Promise<T>): Promise<T>;
}

/** A slot that is never given back: for callers outside a controller (tests, one-off runs). */
export const HELD_SLOT: Slot = Object.freeze({ whileWaiting: <T>(wait: Promise<T>) => wait });
