/**
 * The process lifecycle declared once: a list of parts in start order, started one after the
 * other and stopped in reverse within one time budget (controller-runtime's runnable groups and
 * `engageStopProcedure`). A stop requested while starting stops exactly the parts that started
 * (one whose start is in flight is waited for, inside the budget) and starts no more.
 */
import type { Logger } from '../log/index.js';
import { startBudget } from './shutdown.js';
import type { ShutdownStep } from './shutdown.js';

export interface Part {
  readonly name: string;
  /** Brings the part up; resolves once it is. A rejection ends the start-up (the caller exits non-zero). */
  start(): Promise<void> | void;
  /**
   * Optional first phase of the stop, run for every started part (newest first) before any part
   * stops, so a stop is announced at once (readiness fails) however long the drain takes.
   */
  beginStop?(): Promise<void> | void;
  /** Stops the part within `budgetMs`. Should not reject (a rejection is logged; the stop goes on). */
  stop(budgetMs: number): Promise<void> | void;
  /** Largest fraction (0-1] of the whole shutdown budget its stop may use, so the parts after it keep time. Default 1. */
  readonly maxShare?: number;
}

export interface LifecycleOptions {
  /** Bound on the whole stop, ms (`--shutdown-timeout`). */
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

export interface Lifecycle {
  /**
   * Starts the parts in order. Resolves when all started, or early once `stop` was called.
   * Rejects with the first start failure, naming the part (the parts before it stay started).
   */
  start(): Promise<void>;
  /** Stops what started, newest first, within the budget. Idempotent. Resolves true when every step finished in time. */
  stop(): Promise<boolean>;
  /** Names of the started parts, in start order. */
  started(): readonly string[];
}

export function createLifecycle(parts: readonly Part[], options: LifecycleOptions): Lifecycle {
  const started: Part[] = [];
  let inFlight: Promise<void> = Promise.resolve();
  let stopRequested = false;
  let stopping: Promise<boolean> | undefined;

  async function start(): Promise<void> {
    for (const part of parts) {
      if (stopRequested) return;
      inFlight = Promise.resolve()
        .then(() => part.start())
        .then(() => void started.push(part));
      try {
        await inFlight;
      } catch (err) {
        throw new Error(`${part.name}: start failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }
  }

  async function stopAll(): Promise<boolean> {
    const budget = startBudget(options);
    // A start that hangs must not eat the whole budget: the parts that did start still stop.
    let clean = await budget.run({ name: 'pending start', maxShare: 0.5, run: () => inFlight.catch(() => undefined) });
    const reversed = [...started].reverse();
    const steps: ShutdownStep[] = [
      ...reversed.flatMap((p) => (p.beginStop === undefined ? [] : [{ name: `${p.name}: begin stop`, run: () => p.beginStop?.() }])),
      ...reversed.map((p) => ({ name: p.name, run: (ms: number) => p.stop(ms), ...(p.maxShare === undefined ? {} : { maxShare: p.maxShare }) })),
    ];
    for (const step of steps) clean = (await budget.run(step)) && clean;
    return clean;
  }

  return {
    start,
    stop() {
      stopRequested = true;
      return (stopping ??= stopAll());
    },
    started: () => started.map((p) => p.name),
  };
}
