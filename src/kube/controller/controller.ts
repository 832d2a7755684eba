import { createRateLimitedLogger } from '../../log/index.js';
import type { Logger } from '../../log/index.js';
import type { Instruments } from '../../telemetry/instruments.js';
import { noopInstruments } from '../../telemetry/noop-instruments.js';
import { createSystemClock } from '../../clock/index.js';
import type { Clock } from '../../clock/index.js';
import type { Workqueue } from '../workqueue/queue.js';
import { isConflict } from '../client/errors.js';
import { decide } from './outcome.js';
import type { Attempt, Decision, Outcome } from './outcome.js';
import { stalledForMs } from './progress.js';
import type { Progress, ProgressSource } from './progress.js';
import { createSlots } from './slots.js';
import type { Slot } from './slots.js';

/**
 * Reconciles one key; `signal` aborts when the controller stops; `slot` lets it wait off its
 * worker slot. May throw: the key is retried with backoff.
 */
export type Reconcile = (key: string, signal: AbortSignal, slot: Slot) => Promise<Outcome>;

/** Reconciles waiting off their slot, per worker: bounds the reconciles begun and not finished. */
const WAITING_PER_WORKER = 64;

export interface ControllerOptions {
  /** `controller` label of the metrics and log field. */
  name: string;
  /** The controller's queue; `start` shuts it down when it stops. */
  queue: Workqueue;
  reconcile: Reconcile;
  /**
   * Concurrent reconciles (controller-runtime `MaxConcurrentReconciles`); an integer >= 1. A
   * reconcile waiting through `slot.whileWaiting` does not count: up to 64 per worker more wait so.
   */
  workers: number;
  /** Metric catalogue; default none. */
  instruments?: Instruments;
  /** Default: wall clock and unref()ed timers. Use the queue's clock. */
  clock?: Clock;
  logger: Logger;
  /** Bound on waiting for in-flight reconciles after abort, ms. Default 30000 (controller-runtime's graceful shutdown default). */
  drainTimeoutMs?: number;
  /** Minimum time between two error lines for one key, ms. Default 30000. */
  errorLogIntervalMs?: number;
}

export interface Controller extends ProgressSource {
  readonly name: string;
  /**
   * Runs `workers` slots until `signal` aborts, then shuts the queue down and waits (at
   * most `drainTimeoutMs`) for in-flight reconciles, which see the aborted signal. Never
   * rejects; rejects only a second call (a wiring bug).
   */
  start(signal: AbortSignal): Promise<void>;
  /** True from `start` until it resolves. */
  isRunning(): boolean;
  progress(now: number): Progress;
}

export function createController(options: ControllerOptions): Controller {
  const { name, queue, reconcile, workers, logger } = options;
  const instruments = options.instruments ?? noopInstruments();
  if (!Number.isInteger(workers) || workers < 1) {
    throw new Error(`controller ${name}: expected workers to be an integer >= 1, got ${workers}`);
  }
  const clock = options.clock ?? createSystemClock();
  const drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
  const errorLog = createRateLimitedLogger(logger, { intervalMs: options.errorLogIntervalMs ?? 30_000, now: () => clock.now() });
  const attributes = { controller: name };
  let started = false;
  let running = false;
  let lastFinishedAt: number | undefined;

  function apply(key: string, decision: Decision): void {
    const { action } = decision;
    if (action.kind === 'forget') queue.forget(key);
    else if (action.kind === 'rateLimited') queue.addRateLimited(key);
    else {
      queue.forget(key);
      queue.addAfter(key, action.ms);
    }
  }

  function record(key: string, decision: Decision, seconds: number): void {
    instruments.reconcileTotal.add(1, { controller: name, result: decision.result });
    instruments.reconcileTime.record(seconds, attributes);
    if (decision.result !== 'error') return;
    instruments.reconcileErrors.add(1, attributes);
    if (isStaleWrite(decision.error)) {
      // Optimistic concurrency doing its job (another writer changed the object between our read
      // and write): the retry re-reads the cache. Expected, so no error line and no stack.
      logger.debug({ controller: name, key, reason: 'Conflict' }, 'object changed since it was read; retrying');
      return;
    }
    // One failing object retried every few ms would flood the log: one line per key per interval.
    errorLog.log('error', `${name}/${key}`, { controller: name, key, err: decision.error, requeues: queue.numRequeues(key) }, 'reconcile failed; retrying with backoff');
  }

  const slots = createSlots(workers);
  const begun = new Set<Promise<void>>();
  let oneFinished: (() => void) | undefined;

  const slot: Slot = {
    async whileWaiting<T>(wait: Promise<T>): Promise<T> {
      instruments.activeWorkers.add(-1, attributes);
      slots.release();
      try {
        return await wait;
      } finally {
        await slots.acquire(true);
        instruments.activeWorkers.add(1, attributes);
      }
    },
  };

  async function attempt(key: string, signal: AbortSignal): Promise<Attempt> {
    try {
      return { ok: true, outcome: await reconcile(key, signal, slot) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** Runs one key holding a slot (taken by the caller) and gives the slot back at the end. */
  async function processOne(key: string, signal: AbortSignal): Promise<void> {
    const begin = clock.now();
    instruments.activeWorkers.add(1, attributes);
    try {
      const decision = decide(await attempt(key, signal));
      // The action is applied before `done`, so a key requeued with no delay is marked dirty and handed out again after `done`.
      apply(key, decision);
      lastFinishedAt = clock.now();
      record(key, decision, (lastFinishedAt - begin) / 1000);
    } catch (err) {
      logger.error({ controller: name, key, err }, 'controller worker failed outside reconcile');
    } finally {
      instruments.activeWorkers.add(-1, attributes);
      queue.done(key);
      slots.release();
    }
  }

  /**
   * Hands keys to free slots: a key leaves its queue only once a slot is free, as with `workers`
   * workers. The slot is taken after the key, so a reconcile coming back from a wait never waits
   * behind an empty queue (it may take the slot first; the key then waits for the next one).
   */
  async function dispatch(signal: AbortSignal, maxBegun: number): Promise<void> {
    for (;;) {
      while (begun.size >= maxBegun) await new Promise<void>((resolve) => (oneFinished = resolve));
      await slots.whenFree();
      // No signal here: `start` shuts the queue down on abort, which wakes the waiting get.
      const key = await queue.get();
      if (key === undefined) break;
      await slots.acquire(false);
      if (signal.aborted) {
        slots.release();
        queue.done(key);
        break;
      }
      const run = processOne(key, signal).finally(() => {
        begun.delete(run);
        oneFinished?.();
        oneFinished = undefined;
      });
      begun.add(run);
    }
    await Promise.all(begun);
  }

  async function drain(loops: Promise<unknown>): Promise<void> {
    let cancel: (() => void) | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      cancel = clock.setTimer(() => resolve('timeout'), drainTimeoutMs);
    });
    const drained = Promise.all([loops, queue.shutDownWithDrain()]).then(() => 'drained' as const);
    const result = await Promise.race([drained, timedOut]);
    cancel?.();
    if (result === 'timeout') {
      logger.error({ controller: name, drainTimeoutMs, processing: queue.state().processing }, 'reconciles still running after the drain bound; giving up waiting');
    }
  }

  async function start(signal: AbortSignal): Promise<void> {
    if (started) throw new Error(`controller ${name}: start called twice`);
    started = true;
    running = true;
    instruments.maxConcurrentReconciles.record(workers, attributes);
    logger.info({ controller: name, workers }, 'starting workers');
    const loops = dispatch(signal, workers * (1 + WAITING_PER_WORKER));
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await drain(loops);
    running = false;
    logger.info({ controller: name }, 'workers stopped');
  }

  return {
    name,
    start,
    isRunning: () => running,
    progress(now) {
      const state = queue.state();
      const stalled = running ? stalledForMs(state.busySince, lastFinishedAt, now) : 0;
      return { queued: state.queued, processing: state.processing, lastFinishedAt, stalledForMs: stalled };
    },
  };
}

/** A 409 Conflict anywhere in the `cause` chain (reconcilers wrap API errors with context). */
function isStaleWrite(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (isConflict(e)) return true;
    if (typeof e !== 'object' || e === null) return false;
  }
  return false;
}
