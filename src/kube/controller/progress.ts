import type { CheckResult } from '../../check/index.js';
/** A controller's progress as the `reconcile-progress` liveness check sees it. */
export interface Progress {
  /** Keys ready in the queue. */
  readonly queued: number;
  /** Keys being reconciled. */
  readonly processing: number;
  /** When the last reconcile finished (any result), ms since the epoch; `undefined` before the first. */
  readonly lastFinishedAt: number | undefined;
  /** How long work has been queued or in progress with no reconcile finishing, ms; 0 when idle or not running. */
  readonly stalledForMs: number;
}

/** Anything that reports progress; a `Controller` is one. */
export interface ProgressSource {
  readonly name: string;
  progress(now: number): Progress;
}

/**
 * Time without progress: from the later of "work appeared" (`busySince`) and the last
 * finished reconcile, until `now`. Idle (`busySince` undefined) is never a stall.
 */
export function stalledForMs(busySince: number | undefined, lastFinishedAt: number | undefined, now: number): number {
  if (busySince === undefined) return 0;
  const since = lastFinishedAt === undefined ? busySince : Math.max(busySince, lastFinishedAt);
  return Math.max(0, now - since);
}

/** A `src/check` check. */
export interface ProgressCheck {
  readonly name: 'reconcile-progress';
  run(signal?: AbortSignal): CheckResult;
}

export interface ProgressCheckOptions {
  /** Controllers to watch; a function is read on every run, so controllers may be added later. */
  controllers: readonly ProgressSource[] | (() => readonly ProgressSource[]);
  /** Longest tolerated time with work pending and no reconcile finishing, ms. Must be > 0. */
  stallMs: number;
  /** Clock, ms since the epoch; default `Date.now` (the controllers' clock must agree). */
  now?: () => number;
}

/**
 * The `reconcile-progress` liveness check (Kube-OVN issue #7497: a wedged leader kept its
 * lease and /livez said ok for 54 minutes). Fails when some controller has had work queued
 * or in progress continuously, with no reconcile finishing, for longer than `stallMs`.
 * An idle controller, and one not running (this replica is not leader), never fail it.
 */
export function reconcileProgressCheck(options: ProgressCheckOptions): ProgressCheck {
  if (!(options.stallMs > 0)) {
    throw new Error(`reconcile-progress: expected stallMs > 0, got ${options.stallMs}`);
  }
  const now = options.now ?? Date.now;
  const list = typeof options.controllers === 'function' ? options.controllers : () => options.controllers as readonly ProgressSource[];
  return {
    name: 'reconcile-progress',
    run() {
      const t = now();
      const stalled = list()
        .map((source) => ({ name: source.name, progress: source.progress(t) }))
        .filter(({ progress }) => progress.stalledForMs > options.stallMs);
      if (stalled.length === 0) return { ok: true };
      return { ok: false, reason: stalled.map(({ name, progress }) => describe(name, progress, options.stallMs)).join('; ') };
    },
  };
}

function describe(name: string, progress: Progress, stallMs: number): string {
  const seconds = (ms: number): string => `${Math.round(ms / 1000)}s`;
  return (
    `controller ${JSON.stringify(name)}: work pending (queued=${progress.queued}, processing=${progress.processing}) ` +
    `for ${seconds(progress.stalledForMs)} with no reconcile finished (bound ${seconds(stallMs)})`
  );
}
