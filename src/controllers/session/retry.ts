/**
 * Retries a term's start-up request (the rebuild lists, the default subnet) until it succeeds
 * or the term ends, on the client's backoff helper.
 */
import { sleepUnlessAborted } from '../../clock/index.js';
import type { Clock } from '../../clock/index.js';
import { createBackoff } from '../../kube/client/index.js';
import type { BackoffOptions } from '../../kube/client/index.js';
import type { Logger } from '../../log/index.js';

/**
 * 500 ms doubling to 15 s, no jitter, never reset (one retry loop per request). Our own numbers:
 * the first retry comes fast enough for a brief API server restart and the bound stays well under
 * the reflector's 30 s (client-go `NewReflectorWithOptions`), so a new leader is not the last to
 * notice the API server is back. Jitter is not needed: one leader runs these loops at a time.
 */
export const STARTUP_RETRY: BackoffOptions = Object.freeze({ initialMs: 500, maxMs: 15_000, factor: 2, jitter: 0, resetAfterMs: 0 });

export interface RetryDeps {
  readonly clock: Clock;
  readonly logger: Logger;
}

/** `fn`'s result, or undefined when `signal` aborted first. Failures are logged as warnings with the next delay. */
export async function retryUntilAborted<T>(what: string, fn: () => Promise<T>, signal: AbortSignal, deps: RetryDeps, options: BackoffOptions = STARTUP_RETRY): Promise<T | undefined> {
  const backoff = createBackoff(options);
  while (!signal.aborted) {
    try {
      return await fn();
    } catch (err) {
      if (signal.aborted) break;
      const delay = backoff.next(deps.clock.now());
      deps.logger.warn({ err: err instanceof Error ? err.message : String(err), retryInMs: delay }, `${what} failed; retrying`);
      if (!(await sleepUnlessAborted(deps.clock, delay, signal))) break;
    }
  }
  return undefined;
}
