import type { CheckResult, HealthCheck } from './checks.js';

export interface EventLoopCheckOptions {
  /** A lag above this, in ms, fails the check. */
  thresholdMs: number;
  /** Monotonic clock seam, ms. Default `performance.now`. */
  now?: () => number;
  /** How often the loop is sampled, ms. Default 100. */
  sampleIntervalMs?: number;
  /**
   * How long a seen block keeps the check failing, ms. Default 10000: kubelet's default
   * probe period, so at least one probe sees a block even after the loop recovered.
   */
  windowMs?: number;
}

export interface EventLoopCheck {
  /** Named `event-loop`. Passes until `start()` was called and a block was seen. */
  readonly check: HealthCheck;
  /** Starts sampling with an `unref()`ed timer; idempotent. */
  start(): void;
  /** Stops sampling; idempotent. */
  stop(): void;
}

interface Block {
  readonly at: number;
  readonly lagMs: number;
}

/**
 * Liveness `event-loop`: a timer that should fire every `sampleIntervalMs` measures how late
 * it fires. The check also counts the lag of a sample that is overdue right now, because the
 * probe may be served before the late timer gets its turn.
 */
export function createEventLoopCheck(options: EventLoopCheckOptions): EventLoopCheck {
  const { thresholdMs } = options;
  const now = options.now ?? (() => performance.now());
  const intervalMs = options.sampleIntervalMs ?? 100;
  const windowMs = options.windowMs ?? 10_000;
  if (!(thresholdMs > 0)) throw new Error(`event-loop check: thresholdMs must be > 0, got ${thresholdMs}`);
  if (!(intervalMs > 0)) throw new Error(`event-loop check: sampleIntervalMs must be > 0, got ${intervalMs}`);
  let timer: NodeJS.Timeout | undefined;
  let scheduledAt = 0;
  let lastBlock: Block | undefined;

  const record = (t: number): void => {
    const lagMs = t - scheduledAt - intervalMs;
    if (lagMs > thresholdMs) lastBlock = { at: t, lagMs };
  };
  const schedule = (): void => {
    scheduledAt = now();
    timer = setTimeout(sample, intervalMs);
    timer.unref();
  };
  function sample(): void {
    record(now());
    schedule();
  }

  const run = (): CheckResult => {
    if (timer === undefined) return { ok: true };
    const t = now();
    const pendingLag = t - scheduledAt - intervalMs;
    const block = pendingLag > thresholdMs ? { at: t, lagMs: pendingLag } : lastBlock;
    if (block === undefined || t - block.at > windowMs) return { ok: true };
    return { ok: false, reason: `event loop blocked for ${Math.round(block.lagMs)}ms, bound ${thresholdMs}ms` };
  };

  return {
    check: { name: 'event-loop', run },
    start() {
      if (timer === undefined) schedule();
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
