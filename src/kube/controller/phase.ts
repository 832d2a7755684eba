import type { Progress, ProgressSource } from './progress.js';

/**
 * A one-shot piece of leader work that must finish within the `reconcile-progress` bound, as a
 * `ProgressSource`: while it runs it reports work pending since it started, so a leader whose
 * IPAM rebuild cannot finish (say `list ips` keeps failing) fails liveness instead of holding
 * the Lease while Ready forever (Kube-OVN #7497's wedged leader). Idle before `start()` and
 * after `finish()`.
 */
export interface Phase extends ProgressSource {
  start(now: number): void;
  finish(now: number): void;
  running(): boolean;
}

export function createPhase(name: string): Phase {
  let startedAt: number | undefined;
  let finishedAt: number | undefined;
  return {
    name,
    start(now) {
      startedAt = now;
      finishedAt = undefined;
    },
    finish(now) {
      startedAt = undefined;
      finishedAt = now;
    },
    running: () => startedAt !== undefined,
    progress(now): Progress {
      const busy = startedAt !== undefined;
      return { queued: busy ? 1 : 0, processing: 0, lastFinishedAt: finishedAt, stalledForMs: busy ? Math.max(0, now - (startedAt as number)) : 0 };
    },
  };
}
