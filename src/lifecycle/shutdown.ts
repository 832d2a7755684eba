import type { Logger } from '../log/index.js';

/** One step of an ordered, time-bounded stop. Should not reject; failures are caught and logged anyway. */
export interface ShutdownStep {
  readonly name: string;
  /** Largest fraction (0-1] of the whole budget this step may use, so later steps keep time. Default 1. */
  readonly maxShare?: number;
  /** Given this step's bound, ms. */
  run(budgetMs: number): Promise<void> | void;
}

export interface ShutdownOptions {
  /** Bound on the whole sequence, ms; keep it under terminationGracePeriodSeconds. */
  timeoutMs: number;
  logger: Logger;
  now?: () => number;
}

/** A deadline shared by several steps: each gets the time that is left, capped by its share. */
export interface Budget {
  /** Runs `step` within its share of what is left; true when it finished in time without throwing. */
  run(step: ShutdownStep): Promise<boolean>;
}

/**
 * Starts the clock of a stop: `options.timeoutMs` from now. A step that throws or outlasts its
 * bound is logged and the caller goes on, so the last step (the health server) always runs.
 */
export function startBudget(options: ShutdownOptions): Budget {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  return {
    async run(step) {
      const remaining = Math.max(0, deadline - now());
      const budget = Math.min(remaining, Math.floor(options.timeoutMs * (step.maxShare ?? 1)));
      const started = now();
      const ok = await runBounded(step, budget, options.logger);
      options.logger.debug({ step: step.name, ms: now() - started }, 'shutdown step finished');
      return ok;
    },
  };
}

async function runBounded(step: ShutdownStep, remainingMs: number, logger: Logger): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), remainingMs);
    timer.unref();
  });
  try {
    const result = await Promise.race([Promise.resolve(step.run(remainingMs)).then(() => 'done' as const), timedOut]);
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
