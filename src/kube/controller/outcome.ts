import type { ReconcileResult } from '../../telemetry/instruments.js';

/** The longest `requeueAfter` honoured, ms: Node's timer limit (2^31-1). */
export const MAX_REQUEUE_MS = 2_147_483_647;

/**
 * What a reconcile asks of the queue (controller-runtime's `Result`, kube-rs's `Action`):
 * `done` — the object is as wanted; `requeue` — try again with backoff; `requeueAfter` —
 * look again after `ms` milliseconds (e.g. a deadline), without counting a failure.
 */
export type Outcome = { kind: 'done' } | { kind: 'requeue' } | { kind: 'requeueAfter'; ms: number };

/** How one reconcile attempt ended: its outcome, or what it threw. */
export type Attempt = { ok: true; outcome: Outcome } | { ok: false; error: unknown };

/** What the controller does to the queue after an attempt. */
export type QueueAction =
  | { kind: 'forget' }
  | { kind: 'rateLimited' }
  | { kind: 'forgetAndAddAfter'; ms: number };

export interface Decision {
  readonly action: QueueAction;
  /** `result` label of `controller_runtime_reconcile_total`. */
  readonly result: ReconcileResult;
  /** Why the attempt counts as an error, for the log; only when `result` is `error`. */
  readonly error?: unknown;
}

/**
 * Maps an attempt to its queue action and metric label, as controller-runtime's
 * `reconcileHandler` does: an error is retried with per-key backoff and counted; `requeue`
 * is retried with backoff; `requeueAfter` resets the backoff and waits the given time;
 * `done` resets the backoff. An outcome that is not one of these (a bug in a reconciler,
 * e.g. `ms: NaN`) is treated as an error, so the key is retried rather than lost.
 */
export function decide(attempt: Attempt): Decision {
  if (!attempt.ok) return { action: { kind: 'rateLimited' }, result: 'error', error: attempt.error };
  const outcome = attempt.outcome as Outcome | null | undefined;
  switch (outcome?.kind) {
    case 'done':
      return { action: { kind: 'forget' }, result: 'success' };
    case 'requeue':
      return { action: { kind: 'rateLimited' }, result: 'requeue' };
    case 'requeueAfter':
      if (Number.isFinite(outcome.ms) && outcome.ms >= 0) {
        // A delay from object input (a deletion deadline years away) must not become a timer
        // that Node fires at once: clamp to the longest timer (about 24.8 days).
        return { action: { kind: 'forgetAndAddAfter', ms: Math.min(outcome.ms, MAX_REQUEUE_MS) }, result: 'requeue_after' };
      }
      return invalid(`requeueAfter: expected ms to be a finite number >= 0, got ${String(outcome.ms)}`);
    default:
      return invalid(`expected an outcome of kind done, requeue or requeueAfter, got ${JSON.stringify(outcome) ?? String(outcome)}`);
  }
}

function invalid(message: string): Decision {
  return { action: { kind: 'rateLimited' }, result: 'error', error: new Error(`invalid reconcile outcome: ${message}`) };
}
