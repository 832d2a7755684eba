import type { Logger } from '../log/index.js';

/** One step of the ordered shutdown. Should not reject; failures are caught and logged anyway. */
export interface ShutdownStep {
  readonly name: string;
  /** Largest fraction (0-1] of the whole budget this step may use, so later steps keep time. Default 1. */
  readonly maxShare?: number;
  /** Given this step's bound, ms. */
  run(budgetMs: number): Promise<void>;
}

export interface ShutdownOptions {
  /** Bound on the whole sequence, ms; keep it under terminationGracePeriodSeconds. */
  timeoutMs: number;
  logger: Logger;
  now?: () => number;
}

/**
 * Runs the steps in order, each with the time that is left; a step that throws or outlasts
 * the budget is logged and the sequence goes on, so the health server (the last step) is
 * always closed. Resolves `true` when every step finished inside the budget.
 * Idempotent: later calls return the first call's promise.
 */
export function createShutdown(steps: readonly ShutdownStep[], options: ShutdownOptions): () => Promise<boolean> {
  const now = options.now ?? Date.now;
  let running: Promise<boolean> | undefined;
  const runAll = async (): Promise<boolean> => {
    const deadline = now() + options.timeoutMs;
    let clean = true;
    for (const step of steps) {
      const remaining = Math.max(0, deadline - now());
      const budget = Math.min(remaining, Math.floor(options.timeoutMs * (step.maxShare ?? 1)));
      const started = now();
      const ok = await runBounded(step, budget, options.logger);
      options.logger.debug({ step: step.name, ms: now() - started }, 'shutdown step finished');
      clean &&= ok;
    }
    return clean;
  };
  return () => (running ??= runAll());
}

async function runBounded(step: ShutdownStep, remainingMs: number, logger: Logger): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), remainingMs);
    timer.unref();
  });
  try {
    const result = await Promise.race([step.run(remainingMs).then(() => 'done' as const), timedOut]);
    if (result === 'timeout') {
      logger.error({ step: step.name, budgetMs: remainingMs }, 'shutdown step did not finish in time');
      return false;
    }
    return true;
  } catch (err) {
    logger.error({ step: step.name, err }, 'shutdown step failed');
    return false;
  } finally {
    clearTimeout(timer);
  }
}
