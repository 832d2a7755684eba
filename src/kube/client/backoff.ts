import { isConflict } from './errors.js';
import { sleep } from '../../clock/index.js';
import { createSystemClock } from '../../clock/index.js';
import type { Clock } from '../../clock/index.js';

/** Exponential backoff with jitter (apimachinery `wait.Backoff`). */
export interface BackoffOptions {
  /** First delay, ms. */
  readonly initialMs: number;
  /** Upper bound of the un-jittered delay, ms. */
  readonly maxMs: number;
  /** Multiplier per step; 1 keeps the delay constant. */
  readonly factor: number;
  /** Adds up to `jitter * delay` at random; 0 = none. */
  readonly jitter: number;
  /** Back to `initialMs` when no delay was asked for this long, ms; 0 = never reset. */
  readonly resetAfterMs: number;
}

/**
 * The reflector's numbers from client-go (`NewReflectorWithOptions`): 800 ms doubling to
 * 30 s with jitter 1.0, reset after 2 min without failures.
 */
export const REFLECTOR_BACKOFF: BackoffOptions = Object.freeze({ initialMs: 800, maxMs: 30_000, factor: 2, jitter: 1, resetAfterMs: 120_000 });

export interface Backoff {
  /** The next delay, ms, given the current time. */
  next(nowMs: number): number;
  reset(): void;
}

export function createBackoff(options: BackoffOptions, random: () => number = Math.random): Backoff {
  let current = options.initialMs;
  let lastAt: number | undefined;
  return {
    next(nowMs) {
      if (lastAt !== undefined && options.resetAfterMs > 0 && nowMs - lastAt > options.resetAfterMs) current = options.initialMs;
      lastAt = nowMs;
      const base = Math.min(current, options.maxMs);
      current = Math.min(current * options.factor, options.maxMs);
      return base + (options.jitter > 0 ? random() * options.jitter * base : 0);
    },
    reset() {
      current = options.initialMs;
      lastAt = undefined;
    },
  };
}

/** client-go `retry.DefaultRetry`: 5 attempts, 10 ms apart, jitter 0.1. */
export const DEFAULT_RETRY = Object.freeze({ steps: 5, initialMs: 10, factor: 1, jitter: 0.1 });

export interface RetryOnConflictOptions {
  readonly steps?: number;
  readonly initialMs?: number;
  readonly factor?: number;
  readonly jitter?: number;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly signal?: AbortSignal;
}

/**
 * Runs a read-modify-write `fn` again while it fails with a 409 Conflict (client-go
 * `retry.RetryOnConflict` with `DefaultRetry` unless overridden). Any other error, or the
 * conflict after the last attempt, is thrown to the caller. `fn` must re-read the object.
 */
export async function retryOnConflict<T>(fn: () => Promise<T>, options: RetryOnConflictOptions = {}): Promise<T> {
  const steps = options.steps ?? DEFAULT_RETRY.steps;
  const random = options.random ?? Math.random;
  const clock = options.clock ?? createSystemClock();
  let delay = options.initialMs ?? DEFAULT_RETRY.initialMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (err) {
      if (!isConflict(err) || attempt >= steps) throw err;
    }
    const jitter = options.jitter ?? DEFAULT_RETRY.jitter;
    await sleep(clock, delay + random() * jitter * delay, options.signal);
    delay *= options.factor ?? DEFAULT_RETRY.factor;
  }
}

