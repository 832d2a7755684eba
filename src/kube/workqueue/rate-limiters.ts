/**
 * Rate limiters decide how long a failed key waits before it is retried. The arithmetic is
 * in pure functions (`exponentialBackoffMs`, `reserveToken`); the limiters only keep the
 * per-key or per-bucket state and take `now` as an argument, so tests need no clock at all.
 */

export interface RateLimiter {
  /** Delay in ms before `key` may be retried; counts one more failure of `key`. `now` is ms since the epoch. */
  when(key: string, now: number): number;
  /** Stops tracking `key` (it succeeded): its next failure starts from the first delay again. */
  forget(key: string): void;
  /** How many failures of `key` are being tracked. */
  numRequeues(key: string): number;
}

/** `baseMs * 2^failures`, capped at `maxMs` (also when the power overflows to Infinity). */
export function exponentialBackoffMs(failures: number, baseMs: number, maxMs: number): number {
  const delay = baseMs * 2 ** failures;
  return Number.isFinite(delay) && delay < maxMs ? delay : maxMs;
}

export interface ExponentialOptions {
  /** First delay, ms. Default 5 (client-go `DefaultControllerRateLimiter`). */
  baseMs?: number;
  /** Largest delay, ms. Default 1 000 000 = 1000 s (client-go `DefaultControllerRateLimiter`). */
  maxMs?: number;
}

/** Per-key exponential backoff: 5 ms, 10 ms, 20 ms … capped at 1000 s; `forget` resets a key. */
export function createItemExponentialRateLimiter(options: ExponentialOptions = {}): RateLimiter {
  const baseMs = options.baseMs ?? 5;
  const maxMs = options.maxMs ?? 1_000_000;
  const failures = new Map<string, number>();
  return {
    when(key) {
      const count = failures.get(key) ?? 0;
      failures.set(key, count + 1);
      return exponentialBackoffMs(count, baseMs, maxMs);
    },
    forget: (key) => void failures.delete(key),
    numRequeues: (key) => failures.get(key) ?? 0,
  };
}

/** State of a token bucket: tokens left (negative = reservations not yet covered) at time `at`. */
export interface TokenBucketState {
  readonly tokens: number;
  /** ms since the epoch of the last refill. */
  readonly at: number;
}

/**
 * Takes one token at `now`: refills `qps` tokens per second up to `burst`, then reserves one.
 * When the bucket is empty the token is borrowed and `delayMs` says when it will exist, as
 * golang.org/x/time/rate's `Reserve` does (the limiter behind client-go's bucket limiter).
 */
export function reserveToken(
  state: TokenBucketState,
  now: number,
  qps: number,
  burst: number,
): { state: TokenBucketState; delayMs: number } {
  const elapsed = Math.max(0, now - state.at);
  const refilled = Math.min(burst, state.tokens + (elapsed * qps) / 1000);
  const tokens = refilled - 1;
  const delayMs = tokens >= 0 ? 0 : (-tokens * 1000) / qps;
  return { state: { tokens, at: Math.max(now, state.at) }, delayMs };
}

export interface BucketOptions {
  /** Sustained rate, retries per second. Default 10 (client-go `DefaultControllerRateLimiter`). */
  qps?: number;
  /** Retries allowed at once before the rate applies. Default 100 (client-go `DefaultControllerRateLimiter`). */
  burst?: number;
}

/** One bucket shared by all keys: bounds the overall retry rate, not any one key's. */
export function createBucketRateLimiter(options: BucketOptions = {}): RateLimiter {
  const qps = options.qps ?? 10;
  const burst = options.burst ?? 100;
  if (!(qps > 0) || !(burst >= 1)) {
    throw new Error(`bucket rate limiter: expected qps > 0 and burst >= 1, got qps=${qps} burst=${burst}`);
  }
  let state: TokenBucketState | undefined;
  return {
    when(_key, now) {
      const result = reserveToken(state ?? { tokens: burst, at: now }, now, qps, burst);
      state = result.state;
      return result.delayMs;
    },
    forget: () => undefined,
    numRequeues: () => 0,
  };
}

/** The longest delay of all `limiters`; every limiter sees every failure. */
export function createMaxOfRateLimiter(...limiters: readonly RateLimiter[]): RateLimiter {
  return {
    when: (key, now) => limiters.reduce((longest, limiter) => Math.max(longest, limiter.when(key, now)), 0),
    forget: (key) => limiters.forEach((limiter) => limiter.forget(key)),
    numRequeues: (key) => limiters.reduce((most, limiter) => Math.max(most, limiter.numRequeues(key)), 0),
  };
}

/**
 * client-go's `DefaultControllerRateLimiter`: per-key exponential backoff 5 ms → 1000 s,
 * max-of an overall bucket of 10 qps with a burst of 100.
 */
export function createDefaultControllerRateLimiter(): RateLimiter {
  return createMaxOfRateLimiter(createItemExponentialRateLimiter(), createBucketRateLimiter());
}
