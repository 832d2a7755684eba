import type { Logger } from './logger.js';

export interface RateLimitedLogger {
  /**
   * Logs at `level` at most once per interval for `key`; the next line that passes
   * carries `suppressed`, the number of lines dropped since the last one.
   */
  log(level: 'warn' | 'error', key: string, fields: Record<string, unknown>, msg: string): void;
}

export interface RateLimitOptions {
  /** Minimum time between two lines of one key, in ms. Default 30000; 0 logs every line. */
  intervalMs?: number;
  /** Clock seam, ms since epoch. */
  now?: () => number;
  /** Most keys remembered; older keys are forgotten first so memory stays bounded. Default 256. */
  maxKeys?: number;
}

export function createRateLimitedLogger(logger: Logger, options: RateLimitOptions = {}): RateLimitedLogger {
  const intervalMs = options.intervalMs ?? 30_000;
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 256;
  const state = new Map<string, { last: number; suppressed: number }>();
  return {
    log(level, key, fields, msg) {
      const t = now();
      const entry = state.get(key);
      if (entry !== undefined && t - entry.last < intervalMs) {
        entry.suppressed += 1;
        return;
      }
      const suppressed = entry?.suppressed ?? 0;
      state.delete(key);
      state.set(key, { last: t, suppressed: 0 });
      if (state.size > maxKeys) {
        const oldest = state.keys().next().value;
        if (oldest !== undefined) state.delete(oldest);
      }
      logger[level](suppressed > 0 ? { ...fields, suppressed } : fields, msg);
    },
  };
}
