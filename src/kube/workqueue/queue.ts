import type { AddStateGauge, Instruments } from '../../telemetry/instruments.js';
import { createSystemClock } from '../../clock/index.js';
import type { Clock } from '../../clock/index.js';
import { createDelayHeap } from './delay-heap.js';
import { createQueueMetrics } from './metrics.js';
import { createDefaultControllerRateLimiter } from './rate-limiters.js';
import type { RateLimiter } from './rate-limiters.js';

/**
 * A rate-limited, delaying work queue of string keys with client-go's semantics: a key added
 * many times before a worker takes it is processed once; a key is never handed to two
 * workers at once (re-added while processing, it is marked dirty and handed out again after
 * `done`).
 *
 * One difference from client-go, on purpose: after `shutDown` the queue hands out nothing,
 * not even keys still queued. Shutdown here means the process stops or lost its lease, and
 * the next leader re-lists everything, so starting new work would only delay the exit.
 */
export interface Workqueue {
  readonly name: string;
  /** Queues `key` unless it is already queued; ignored after shutdown. */
  add(key: string): void;
  /**
   * Resolves with the next key, which the caller must pass to `done` when finished; waits
   * while the queue is empty. Resolves `undefined` once the queue is shut down or `signal` aborts.
   */
  get(signal?: AbortSignal): Promise<string | undefined>;
  /** Marks `key` finished; if it was added meanwhile it is queued again. */
  done(key: string): void;
  /** Adds `key` after `ms` milliseconds (`<= 0`: now). A key already waiting keeps the earlier time. */
  addAfter(key: string, ms: number): void;
  /** Adds `key` after the rate limiter's delay for it (one more failure of `key`). */
  addRateLimited(key: string): void;
  /** Resets the rate limiter's failure count of `key`; does not remove it from the queue. */
  forget(key: string): void;
  /** Failures of `key` the rate limiter is tracking. */
  numRequeues(key: string): number;
  /** Keys ready to be handed out (not counting delayed keys or keys being processed). */
  len(): number;
  /** Counts for progress checks; `busySince` is when queued + processing last rose above 0 (ms since the epoch). */
  state(): { queued: number; processing: number; delayed: number; busySince: number | undefined };
  /** Stops the queue: waiting `get`s resolve `undefined`, queued and delayed keys are dropped, later adds ignored. Idempotent. */
  shutDown(): void;
  /** `shutDown`, then resolves once every key being processed is `done`. Unbounded: callers bound it. */
  shutDownWithDrain(): Promise<void>;
  isShuttingDown(): boolean;
}

export interface WorkqueueOptions {
  /** `name` label of the workqueue metrics; usually the controller name. */
  name: string;
  /** Default: client-go's `DefaultControllerRateLimiter` (5 ms → 1000 s per key, max-of 10 qps burst 100). */
  rateLimiter?: RateLimiter;
  /** Default: wall clock and unref()ed timers. */
  clock?: Clock;
  /** Metric catalogue; default none (the queue works without OTel). */
  instruments?: Instruments;
  /** Registers `workqueue_unfinished_work_seconds` / `_longest_running_processor_seconds`; default none. */
  addStateGauge?: AddStateGauge;
}

interface Waiter {
  resolve(key: string | undefined): void;
}

export function createWorkqueue(options: WorkqueueOptions): Workqueue {
  const clock = options.clock ?? createSystemClock();
  const limiter = options.rateLimiter ?? createDefaultControllerRateLimiter();
  const ready = createFifo();
  const dirty = new Set<string>();
  const addedAt = new Map<string, number>();
  const processing = new Map<string, number>();
  const waiters = new Set<Waiter>();
  const drainers: Array<() => void> = [];
  const delayed = createDelayHeap();
  let cancelTimer: (() => void) | undefined;
  let shuttingDown = false;
  let busySince: number | undefined;
  const metrics = createQueueMetrics({
    name: options.name,
    instruments: options.instruments,
    addStateGauge: options.addStateGauge,
    processingSince: () => processing.values(),
    now: () => clock.now(),
  });

  function trackBusy(): void {
    const busy = ready.size() > 0 || processing.size > 0;
    if (!busy) busySince = undefined;
    else busySince ??= clock.now();
  }

  function handOut(): string {
    const key = ready.shift()!;
    const now = clock.now();
    dirty.delete(key);
    processing.set(key, now);
    metrics.handedOut(now - (addedAt.get(key) ?? now));
    addedAt.delete(key);
    return key;
  }

  // Keeps the invariant "no waiter while a key is ready": each ready key goes to one waiter.
  function dispatch(): void {
    for (const waiter of waiters) {
      if (ready.size() === 0) return;
      waiters.delete(waiter);
      waiter.resolve(handOut());
    }
  }

  function add(key: string): void {
    if (shuttingDown || dirty.has(key)) return;
    metrics.added();
    dirty.add(key);
    addedAt.set(key, clock.now());
    if (processing.has(key)) return;
    ready.push(key);
    trackBusy();
    dispatch();
  }

  function armTimer(): void {
    cancelTimer?.();
    cancelTimer = undefined;
    const next = delayed.nextAt();
    if (next === undefined || shuttingDown) return;
    cancelTimer = clock.setTimer(() => {
      cancelTimer = undefined;
      delayed.popReady(clock.now()).forEach(add);
      armTimer();
    }, next - clock.now());
  }

  function addAfter(key: string, ms: number): void {
    if (shuttingDown) return;
    metrics.retried();
    if (!(ms > 0)) return add(key);
    const before = delayed.nextAt();
    delayed.push(key, clock.now() + ms);
    if (delayed.nextAt() !== before) armTimer();
  }

  function get(signal?: AbortSignal): Promise<string | undefined> {
    if (shuttingDown || signal?.aborted === true) return Promise.resolve(undefined);
    if (ready.size() > 0) return Promise.resolve(handOut());
    return new Promise((resolve) => {
      const onAbort = (): void => {
        if (waiters.delete(waiter)) resolve(undefined);
      };
      const waiter: Waiter = {
        resolve(key) {
          signal?.removeEventListener('abort', onAbort);
          resolve(key);
        },
      };
      waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  function done(key: string): void {
    const started = processing.get(key);
    if (started === undefined) return;
    processing.delete(key);
    metrics.finished(clock.now() - started);
    if (dirty.has(key) && !shuttingDown) ready.push(key);
    trackBusy();
    dispatch();
    if (processing.size === 0) drainers.splice(0).forEach((resolve) => resolve());
  }

  function shutDown(): void {
    if (shuttingDown) return;
    shuttingDown = true;
    cancelTimer?.();
    cancelTimer = undefined;
    delayed.clear();
    metrics.discarded(dirty.size);
    dirty.clear();
    addedAt.clear();
    ready.clear();
    metrics.close();
    for (const waiter of waiters) waiter.resolve(undefined);
    waiters.clear();
    trackBusy();
  }

  return {
    name: options.name,
    add,
    get,
    done,
    addAfter,
    addRateLimited: (key) => addAfter(key, limiter.when(key, clock.now())),
    forget: (key) => limiter.forget(key),
    numRequeues: (key) => limiter.numRequeues(key),
    len: () => ready.size(),
    state: () => ({ queued: ready.size(), processing: processing.size, delayed: delayed.size(), busySince }),
    shutDown,
    shutDownWithDrain() {
      shutDown();
      if (processing.size === 0) return Promise.resolve();
      return new Promise((resolve) => drainers.push(resolve));
    },
    isShuttingDown: () => shuttingDown,
  };
}

/** An array-backed FIFO with O(1) amortised shift (Array#shift is O(n) on large arrays). */
function createFifo(): { push(key: string): void; shift(): string | undefined; size(): number; clear(): void } {
  let items: string[] = [];
  let head = 0;
  return {
    push: (key) => void items.push(key),
    shift() {
      const key = items[head];
      head += 1;
      if (head > 1024 && head * 2 > items.length) {
        items = items.slice(head);
        head = 0;
      }
      return key;
    },
    size: () => items.length - head,
    clear() {
      items = [];
      head = 0;
    },
  };
}
