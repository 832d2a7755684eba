/**
 * A bounded cache with a time to live per entry. At most `maxEntries` are kept; the oldest
 * insertion is evicted first, so a flood of distinct keys (bad tokens) cannot grow memory.
 */
export interface TtlCache<V> {
  get(key: string, now: number): V | undefined;
  set(key: string, value: V, ttlMs: number, now: number): void;
  readonly size: number;
}

export function createTtlCache<V>(maxEntries: number): TtlCache<V> {
  const entries = new Map<string, { value: V; expiresAt: number }>();
  return {
    get(key, now) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.expiresAt <= now) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value, ttlMs, now) {
      if (ttlMs <= 0) return;
      entries.delete(key);
      entries.set(key, { value, expiresAt: now + ttlMs });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
    },
    get size() {
      return entries.size;
    },
  };
}

/** Thrown by a `Limiter` when the queue is full or the wait ran out; the caller answers 500 for it. */
export class LimitExceededError extends Error {
  override readonly name = 'LimitExceededError';
}

export interface LimiterOptions {
  /** Calls running at once. */
  readonly concurrency: number;
  /** Calls waiting for a slot; one more fails at once. */
  readonly maxQueued: number;
}

/**
 * Runs async calls with at most `concurrency` in flight and at most `maxQueued` waiting (p-queue's
 * model, without its unbounded queue). A waiting call whose `signal` aborts leaves the queue.
 */
export interface Limiter {
  run<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T>;
  readonly active: number;
  readonly queued: number;
}

export function createLimiter(options: LimiterOptions): Limiter {
  let active = 0;
  const waiting: Array<{ start: () => void; signal: AbortSignal }> = [];
  const next = (): void => {
    while (active < options.concurrency && waiting.length > 0) {
      const item = waiting.shift();
      if (item !== undefined && !item.signal.aborted) item.start();
    }
  };
  const acquire = (signal: AbortSignal): Promise<void> => {
    if (signal.aborted) return Promise.reject(new LimitExceededError('aborted before it started'));
    if (active < options.concurrency) {
      active += 1;
      return Promise.resolve();
    }
    if (waiting.length >= options.maxQueued) return Promise.reject(new LimitExceededError(`${options.maxQueued} calls already waiting`));
    return new Promise((resolve, reject) => {
      const item = {
        signal,
        start: () => {
          signal.removeEventListener('abort', onAbort);
          active += 1;
          resolve();
        },
      };
      const onAbort = (): void => {
        const at = waiting.indexOf(item);
        if (at >= 0) waiting.splice(at, 1);
        reject(new LimitExceededError('gave up waiting for a free slot'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      waiting.push(item);
    });
  };
  return {
    async run(fn, signal) {
      await acquire(signal);
      try {
        return await fn(signal);
      } finally {
        active -= 1;
        next();
      }
    },
    get active() {
      return active;
    },
    get queued() {
      return waiting.length;
    },
  };
}
