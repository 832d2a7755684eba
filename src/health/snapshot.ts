import { createCheckSet } from './checks.js';
import type { CheckKind, CheckResult, CheckSet, HealthCheck } from './checks.js';
import { runCheck } from './run.js';

/** One check's latest result as the main thread saw it; `reason` only when failed. */
export interface ReportedCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly reason?: string;
}

/**
 * What the main thread posts to the health worker. `seq` grows with every collection started,
 * so a slow collection that finishes after a newer one cannot overwrite it.
 */
export interface HealthSnapshot {
  readonly seq: number;
  /** Wall clock of the collection's start, ms since the epoch (for logs only). */
  readonly at: number;
  readonly livez: readonly ReportedCheck[];
  readonly readyz: readonly ReportedCheck[];
}

/** Runs every check of both sets within `timeoutMs` each; never rejects. */
export async function collectSnapshot(sets: { livez: CheckSet; readyz: CheckSet }, seq: number, timeoutMs: number): Promise<HealthSnapshot> {
  const at = Date.now();
  const [livez, readyz] = await Promise.all([collectSet(sets.livez, timeoutMs), collectSet(sets.readyz, timeoutMs)]);
  return { seq, at, livez, readyz };
}

async function collectSet(set: CheckSet, timeoutMs: number): Promise<ReportedCheck[]> {
  return Promise.all(
    set.checks().map(async (check): Promise<ReportedCheck> => {
      const result = await runCheck(check, timeoutMs);
      return result.ok ? { name: check.name, ok: true } : { name: check.name, ok: false, reason: result.reason };
    }),
  );
}

export interface SnapshotViewOptions {
  /** Check names per kind known when the worker starts, in registration order. */
  readonly initial: { readonly livez: readonly string[]; readonly readyz: readonly string[] };
  /** No snapshot for longer than this, ms, fails every check but `ping`. */
  readonly staleAfterMs: number;
  /** Monotonic clock of the worker, ms. */
  readonly now: () => number;
}

export interface SnapshotView {
  /** Check sets whose checks answer from the latest snapshot; for `createHealthApp`. */
  readonly livez: CheckSet;
  readonly readyz: CheckSet;
  /** Applies a snapshot (ignored if older than the one applied); adds checks registered since. */
  apply(snapshot: HealthSnapshot): void;
}

const OK: CheckResult = Object.freeze({ ok: true });
// `ping` proves the server answers; the worker answers it itself, so staleness never fails it.
const PING = 'ping';

/**
 * The worker's side: check sets of proxies over the latest snapshot, in the main thread's
 * registration order. Before the first snapshot liveness checks pass (as the in-process
 * event-loop check does before it starts) and readiness checks fail: readiness must not pass
 * before the main thread said so. Once no snapshot came for `staleAfterMs` (counted from the
 * worker's start until the first one), every check but `ping` fails: a result that old says
 * nothing about the process, and a wedged main loop must fail liveness.
 */
export function createSnapshotView(options: SnapshotViewOptions): SnapshotView {
  const { staleAfterMs, now } = options;
  if (!(staleAfterMs > 0)) throw new Error(`health worker: staleAfterMs must be > 0, got ${staleAfterMs}`);
  const startedAt = now();
  let reportedAt: number | undefined;
  let lastSeq = -Infinity;
  const results = { livez: new Map<string, CheckResult>(), readyz: new Map<string, CheckResult>() };
  const sets = { livez: createCheckSet('livez'), readyz: createCheckSet('readyz') };

  const resolve = (kind: CheckKind, name: string): CheckResult => {
    if (name === PING) return results[kind].get(name) ?? OK;
    const silentMs = now() - (reportedAt ?? startedAt);
    if (silentMs > staleAfterMs) return { ok: false, reason: `main thread has not reported for ${Math.round(silentMs)}ms` };
    const result = results[kind].get(name);
    if (result !== undefined) return result;
    return kind === 'livez' ? OK : { ok: false, reason: 'no report from the main thread yet' };
  };
  const ensure = (kind: CheckKind, name: string): void => {
    if (sets[kind].checks().some((c) => c.name === name)) return;
    const proxy: HealthCheck = { name, run: () => resolve(kind, name) };
    sets[kind].add(proxy);
  };
  for (const kind of ['livez', 'readyz'] as const) for (const name of options.initial[kind]) ensure(kind, name);

  return {
    livez: sets.livez,
    readyz: sets.readyz,
    apply(snapshot) {
      if (snapshot.seq <= lastSeq) return;
      lastSeq = snapshot.seq;
      reportedAt = now();
      for (const kind of ['livez', 'readyz'] as const) {
        for (const r of snapshot[kind]) {
          ensure(kind, r.name);
          results[kind].set(r.name, r.ok ? OK : { ok: false, reason: r.reason ?? 'failed' });
        }
      }
    },
  };
}
