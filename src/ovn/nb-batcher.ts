import type { Logger } from '../log/index.js';
import { createRateLimitedLogger } from '../log/index.js';
import type { DbCache } from './cache.js';
import type { OvsdbClient } from './client.js';
import { isProblem } from './nb-model.js';
import type { BuildProblem } from './nb-model.js';
import { Tx } from './nb-tx.js';
import type { Operation } from './protocol.js';

/** Outcome of one northbound request; failures are values (STYLE 7). */
export type NbResult =
  | { readonly ok: true; readonly changed: boolean; readonly operations: readonly Operation[] }
  | { readonly ok: false; readonly reason: 'Unavailable' | 'Rejected' | BuildProblem['problem']; readonly message: string };

/** Adds a request's operations to `tx` from the current cache; returns a problem when it cannot. */
export type Build = (tx: Tx, cache: DbCache) => BuildProblem | undefined;

interface Request {
  readonly key: string;
  build: Build;
  readonly waiters: ((r: NbResult) => void)[];
  readonly deadline: number;
  /** Failed inside a batch: run alone next, so one bad request cannot fail the others again. */
  solo: boolean;
  attempts: number;
}

export interface BatcherOptions {
  readonly client: OvsdbClient;
  readonly logger: Logger;
  /** Bound on one request from enqueue to result, ms (`--ovn-timeout`). */
  readonly timeoutMs: number;
  /** Most requests in one transaction. Default 1000 (about 2,000 operations for pod ports). */
  readonly maxBatch?: number;
  /** Transactions in flight at once. Default 2: one committing while the next is built. */
  readonly maxInFlight?: number;
  readonly now?: () => number;
}

export interface Batcher {
  /** Queues `build` under `key`; a request already queued under that key takes the newer build and both callers get its result. */
  submit(key: string, build: Build): Promise<NbResult>;
  readonly queued: number;
}

// A failed `wait` (state moved on since the cache saw it) or an index clash with a concurrent
// insert: rebuilding from the fresh cache settles it within a few attempts.
const MAX_ATTEMPTS = 5;

/**
 * Coalesces concurrent requests into few transactions. Every request is rebuilt from the
 * synced cache on each attempt and guarded with `wait`s or unique indexes, so resending one
 * whose connection dropped mid-commit cannot duplicate rows: if it did commit, the rebuild
 * finds nothing left to do. Requests under one key never run concurrently.
 */
export function createBatcher(options: BatcherOptions): Batcher {
  const maxBatch = options.maxBatch ?? 1000;
  const maxInFlight = options.maxInFlight ?? 2;
  const now = options.now ?? Date.now;
  const queue = new Map<string, Request>();
  const busy = new Set<string>();
  let inFlight = 0;
  let waitingForSync = false;
  const limited = createRateLimitedLogger(options.logger);

  const settle = (r: Request, result: NbResult) => {
    if (!result.ok && (result.reason === 'Unavailable' || result.reason === 'Rejected')) {
      const s = options.client.status();
      limited.log('warn', `nb:${result.reason}`, { operation: r.key, endpoint: s.endpoint ?? 'none', lastError: s.lastError, error: result.message }, 'northbound request failed');
    }
    for (const w of r.waiters) w(result);
  };

  function take(): Request[] {
    const batch: Request[] = [];
    for (const r of queue.values()) {
      if (busy.has(r.key)) continue;
      if (r.solo && batch.length > 0) continue;
      batch.push(r);
      if (r.solo || batch.length >= maxBatch) break;
    }
    for (const r of batch) {
      queue.delete(r.key);
      busy.add(r.key);
    }
    return batch;
  }

  function requeue(r: Request, solo: boolean): void {
    busy.delete(r.key);
    r.attempts += 1;
    r.solo = r.solo || solo;
    if (now() > r.deadline) return settle(r, { ok: false, reason: 'Unavailable', message: `northbound did not take the change within ${options.timeoutMs} ms` });
    const newer = queue.get(r.key);
    if (newer !== undefined) {
      newer.waiters.push(...r.waiters); // a newer build superseded this one while it was in flight
      return;
    }
    queue.set(r.key, r);
  }

  function pump(): void {
    while (inFlight < maxInFlight && queue.size > 0) {
      if (!options.client.status().synced) return waitForSync();
      const batch = take();
      if (batch.length === 0) return;
      inFlight++;
      void runBatch(batch)
        .catch((err: unknown) => {
          // A bug, not an NB answer: free every key it still holds, or later requests under those
          // keys would queue behind it forever and the reconcilers awaiting them would stall.
          options.logger.error({ err, requests: batch.length }, 'northbound batch failed unexpectedly');
          for (const r of batch) {
            if (!busy.delete(r.key)) continue;
            settle(r, { ok: false, reason: 'Unavailable', message: `northbound batch failed: ${(err as Error).message}` });
          }
        })
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  }

  function waitForSync(): void {
    if (waitingForSync) return;
    waitingForSync = true;
    void options.client.whenSynced(1_000).then(() => {
      waitingForSync = false;
      for (const r of [...queue.values()]) if (now() > r.deadline) {
        queue.delete(r.key);
        settle(r, { ok: false, reason: 'Unavailable', message: `northbound unavailable for ${options.timeoutMs} ms: ${options.client.status().lastError ?? 'not connected'}` });
      }
      pump();
    });
  }

  async function runBatch(batch: Request[]): Promise<void> {
    const tx = new Tx();
    const cache = options.client.cache;
    const live: Request[] = [];
    const firstOp = new Map<Request, number>();
    for (const r of batch) {
      firstOp.set(r, tx.pushed);
      let problem: BuildProblem | undefined;
      try {
        problem = r.build(tx, cache);
      } catch (err) {
        // A build that throws may have pushed half its operations: drop the whole transaction's
        // work for this turn and send the others again, without the one that threw.
        options.logger.error({ err, key: r.key }, 'northbound request could not be built');
        busy.delete(r.key);
        settle(r, { ok: false, reason: 'Rejected', message: `building the change failed: ${(err as Error).message}` });
        for (const other of batch) if (other !== r && busy.has(other.key)) requeue(other, false);
        return;
      }
      if (isProblem(problem)) {
        busy.delete(r.key);
        settle(r, { ok: false, reason: problem.problem, message: problem.detail });
      } else live.push(r);
    }
    if (tx.empty) {
      for (const r of live) {
        busy.delete(r.key);
        settle(r, { ok: true, changed: false, operations: [] });
      }
      return;
    }
    const ops = tx.operations();
    const outcome = await options.client.transact(ops, options.timeoutMs);
    if (outcome.ok) {
      for (const r of live) {
        busy.delete(r.key);
        settle(r, { ok: true, changed: true, operations: live.length === 1 ? ops : [] });
      }
      return;
    }
    if (outcome.reason === 'unavailable' || outcome.reason === 'timeout') {
      options.logger.debug({ error: outcome.error, details: outcome.details, requests: live.length }, 'northbound transaction not confirmed; will rebuild and resend');
      for (const r of live) requeue(r, false);
      return;
    }
    const message = `${outcome.error}: ${outcome.details}`;
    const culprit = outcome.reason === 'op-error' ? owner(live, firstOp, outcome.index, tx.pushed) : undefined;
    for (const r of live) {
      if (culprit !== undefined && r !== culprit) requeue(r, false); // innocent: the batch failed for another request
      // No culprit (a commit-time index or reference check): most often a concurrent transaction
      // made the same row first, which the rebuilt batch sees in the cache. Only a batch that
      // fails that way twice is split into solo requests.
      else if (culprit === undefined && live.length > 1 && r.attempts === 0) requeue(r, false);
      else if (live.length > 1 || r.attempts + 1 < MAX_ATTEMPTS) requeue(r, true);
      else {
        busy.delete(r.key);
        options.logger.debug({ key: r.key, error: message }, 'northbound request rejected');
        settle(r, { ok: false, reason: 'Rejected', message });
      }
    }
  }

  /** The request whose own operations hold `index`; undefined when it is a coalesced mutate shared by several. */
  function owner(live: readonly Request[], firstOp: ReadonlyMap<Request, number>, index: number, pushed: number): Request | undefined {
    if (index >= pushed) return undefined;
    let found: Request | undefined;
    for (const r of live) if ((firstOp.get(r) ?? Infinity) <= index) found = r;
    return found;
  }

  return {
    submit(key, build) {
      return new Promise((resolve) => {
        const existing = queue.get(key);
        if (existing !== undefined) {
          existing.build = build;
          existing.waiters.push(resolve);
        } else {
          queue.set(key, { key, build, waiters: [resolve], deadline: now() + options.timeoutMs, solo: false, attempts: 0 });
        }
        queueMicrotask(pump);
      });
    },
    get queued() {
      return queue.size;
    },
  };
}
