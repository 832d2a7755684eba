import { isConflict, isNotFound, RESOURCES, sleepUnlessAborted } from '../client/index.js';
import { createSystemClock } from '../../clock/index.js';
import { decideLease, observe, releasedSpec } from './record.js';
import type { KubeClient, KubeObject } from '../client/index.js';
import type { LeaderElectionConfig } from '../../config/types.js';
import type { Instruments } from '../../telemetry/instruments.js';
import type { Logger } from '../../log/index.js';
import type { Clock } from '../../clock/index.js';
import type { CheckResult } from '../../check/index.js';
import type { LeaseSpec, Observation } from './record.js';

/** client-go `leaderelection.JitterFactor`: acquire attempts are spaced retryPeriod × [1, 2.2). */
const ACQUIRE_JITTER = 1.2;
/** client-go `HealthzAdaptor`'s tolerance past leaseDuration before liveness fails. */
export const LIVENESS_TOLERANCE_MS = 20_000;

/**
 * Why a term ended: `shutdown` (asked to stop; the lease was released), `lost` (the renew
 * deadline passed; another replica may lead already) or `failed` (the term's own work ended
 * or threw while this replica still held the lease: released where possible). Only
 * `shutdown` is a clean end: after `lost` or `failed` the process should exit 1, as a
 * client-go controller does, so the pod restarts clean.
 */
export type LeaderStopReason = 'lost' | 'shutdown' | 'failed';

/** What `run` ended with; `never-led` when it stopped before acquiring. */
export interface LeaderOutcome {
  readonly reason: LeaderStopReason | 'never-led';
  /** For `failed`: what ended the term. */
  readonly error?: unknown;
}

export interface LeaderCallbacks {
  /**
   * Runs once this replica leads; `signal` aborts when leadership ends for any reason. A
   * returned promise is the term's work: it must not settle before `signal` aborts. If it
   * rejects, or resolves while the lease is still held, the term ends `failed`.
   */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called once when this replica stops leading. Not called if it never led. */
  onStoppedLeading(info: { readonly reason: LeaderStopReason; readonly error?: unknown }): void;
  /** A different holder was observed (including ourselves); empty holders are not reported. */
  onNewLeader?(identity: string): void;
  /** An attempt to acquire ended without the lease (held elsewhere, or the request failed); called after each. */
  onNotAcquired?(): void;
}

export interface LeaderElectorOptions {
  readonly client: Pick<KubeClient, 'get' | 'create' | 'replace'>;
  readonly config: LeaderElectionConfig;
  readonly callbacks: LeaderCallbacks;
  readonly logger: Logger;
  readonly instruments?: Pick<Instruments, 'leaderElectionMasterStatus'>;
  readonly clock?: Clock;
  readonly random?: () => number;
}


export interface LeaderElector {
  /** Campaigns, leads and releases; resolves when `signal` aborts (after the release), leadership is lost or the term failed. Never rejects. */
  run(signal: AbortSignal): Promise<LeaderOutcome>;
  isLeader(): boolean;
  /** Last observed holder; empty when unknown. */
  leader(): string;
  /** Liveness check `leader-election` (structurally a health check); fails for good after a `failed` term, a backstop for a caller that does not exit. */
  readonly check: { readonly name: 'leader-election'; run(): CheckResult };
}

type Lease = KubeObject & { spec?: LeaseSpec };

export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  const { client, config, callbacks } = options;
  const clock = options.clock ?? createSystemClock();
  const random = options.random ?? Math.random;
  const logger = options.logger.child({ lease: `${config.namespace}/${config.leaseName}`, identity: config.identity });
  const leases = RESOURCES.leases;
  let observation: Observation | undefined;
  let lease: Lease | undefined;
  let leading = false;
  let lastRenewAt = 0;
  let reported = '';
  let failure: string | undefined;

  const setLeading = (value: boolean): void => {
    leading = value;
    options.instruments?.leaderElectionMasterStatus.record(value ? 1 : 0, { name: config.leaseName });
  };
  /** Runs a notification callback: one that throws is logged and never stops the elector. */
  const notify = (name: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      logger.error({ err }, `${name} threw`);
    }
  };
  const report = (holder: string): void => {
    if (holder === '' || holder === reported) return;
    reported = holder;
    logger.info({ leader: holder }, 'new leader observed');
    notify('onNewLeader', () => callbacks.onNewLeader?.(holder));
  };
  const remember = (written: Lease, at: number): void => {
    lease = written;
    observation = observe(observation, written.spec ?? {}, at);
    report(written.spec?.holderIdentity ?? '');
  };

  /**
   * client-go's fast path: a leader whose lease is still valid renews from the lease it last
   * wrote, without reading it first (one request per renewal, not two). The write is conditional
   * on that resourceVersion, so any other writer since makes it a 409; then, and on any other
   * failure, the attempt reads the lease as an acquire would.
   */
  async function renewOptimistically(signal: AbortSignal, at: number): Promise<boolean> {
    if (!leading || lease === undefined || observation === undefined || observation.spec.holderIdentity !== config.identity) return false;
    if (observation.observedAt + config.leaseDurationMs <= at) return false;
    const decision = decideLease(observation, config.identity, config.leaseDurationMs, at);
    if (decision.kind !== 'write') return false;
    try {
      remember(await client.replace<Lease>(leases, { ...lease, spec: decision.spec }, { signal }), at);
      return true;
    } catch (err) {
      if (!signal.aborted) logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'optimistic lease renew failed; reading the lease');
      return false;
    }
  }

  async function tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const at = clock.now();
    if (await renewOptimistically(signal, at)) return true;
    if (signal.aborted) return false;
    try {
      let current: Lease;
      try {
        current = await client.get<Lease>(leases, config.leaseName, { namespace: config.namespace, signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const decision = decideLease(undefined, config.identity, config.leaseDurationMs, at);
        if (decision.kind !== 'write') return false;
        remember(await client.create<Lease>(leases, { metadata: { name: config.leaseName, namespace: config.namespace }, spec: decision.spec }, { signal }), at);
        return true;
      }
      lease = current;
      observation = observe(observation, current.spec ?? {}, at);
      report(current.spec?.holderIdentity ?? '');
      const decision = decideLease(observation, config.identity, config.leaseDurationMs, at);
      if (decision.kind === 'held') return false;
      // The resourceVersion makes this conditional: a concurrent writer gets 409 and re-reads next time.
      remember(await client.replace<Lease>(leases, { ...current, spec: decision.spec }, { signal }), at);
      return true;
    } catch (err) {
      if (!signal.aborted) logger[isConflict(err) ? 'debug' : 'warn']({ err: err instanceof Error ? err.message : String(err) }, 'lease acquire/renew failed');
      return false;
    }
  }

  async function acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await tryAcquireOrRenew(signal)) return true;
      if (signal.aborted) return false;
      notify('onNotAcquired', () => callbacks.onNotAcquired?.());
      const wait = config.retryPeriodMs * (1 + random() * ACQUIRE_JITTER);
      if (!(await sleepUnlessAborted(clock, wait, signal))) return false;
    }
    return false;
  }

  /** One renew round (client-go: poll every retryPeriod within renewDeadline). */
  async function renewWithinDeadline(signal: AbortSignal): Promise<boolean> {
    const deadline = new AbortController();
    const cancel = clock.setTimer(() => deadline.abort(new Error('renew deadline passed')), config.renewDeadlineMs);
    const round = AbortSignal.any([signal, deadline.signal]);
    try {
      while (!round.aborted) {
        if (await tryAcquireOrRenew(round)) {
          if (round.aborted) return false;
          lastRenewAt = clock.now();
          return true;
        }
        if (!(await sleepUnlessAborted(clock, config.retryPeriodMs, round))) break;
      }
      return false;
    } finally {
      cancel();
    }
  }

  /** Renews until `signal` aborts (`shutdown`), a renew round fails (`lost`) or `term.failed` aborts (`failed`). */
  async function lead(signal: AbortSignal, term: Term): Promise<LeaderStopReason> {
    const either = AbortSignal.any([signal, term.failed]);
    while (!either.aborted) {
      if (!(await sleepUnlessAborted(clock, config.retryPeriodMs, either))) break;
      const renewed = await renewWithinDeadline(either);
      if (either.aborted) break;
      if (!renewed) return 'lost';
    }
    return signal.aborted ? 'shutdown' : 'failed';
  }

  async function release(): Promise<void> {
    if (lease === undefined || observation?.spec.holderIdentity !== config.identity) return;
    const timeout = new AbortController();
    const cancel = clock.setTimer(() => timeout.abort(new Error('release timed out')), config.retryPeriodMs);
    try {
      const spec = releasedSpec(observation, clock.now());
      await client.replace<Lease>(leases, { ...lease, spec }, { signal: timeout.signal });
      observation = observe(observation, spec, clock.now());
      logger.info('lease released');
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'lease release failed; a standby takes over when the lease expires');
    } finally {
      cancel();
    }
  }

  function startLeading(): Term {
    const leadership = new AbortController();
    const failed = new AbortController();
    const fail = (err: unknown): void => {
      if (!leadership.signal.aborted) failed.abort(err);
      else if (err !== undefined) logger.warn({ err }, 'leader term work failed after leadership ended');
    };
    lastRenewAt = clock.now();
    setLeading(true);
    logger.info('started leading');
    // Deferred so a callback that stops the elector synchronously cannot re-enter run().
    void Promise.resolve()
      .then(() => {
        const work = callbacks.onStartedLeading(leadership.signal);
        // Work that settles once leadership has ended (a shutdown, a lost lease) ended as it
        // should: only an end while still leading is a failed term.
        if (work instanceof Promise) void work.then(() => void (leadership.signal.aborted || fail(new Error('the leader term ended while this replica still held the lease'))), fail);
      })
      .catch(fail);
    return { leadership, failed: failed.signal };
  }

  function stopLeading(term: Term, reason: LeaderStopReason): LeaderOutcome {
    term.leadership.abort(new Error(`leadership ended: ${reason}`));
    setLeading(false);
    const error: unknown = reason === 'failed' ? term.failed.reason : undefined;
    if (reason === 'failed') failure = error instanceof Error ? error.message : String(error);
    if (reason === 'shutdown') logger.info({ reason }, 'stopped leading');
    else logger.error({ reason, ...(error === undefined ? {} : { err: error }) }, 'stopped leading: this replica must exit and restart clean');
    notify('onStoppedLeading', () => callbacks.onStoppedLeading(reason === 'failed' ? { reason, error } : { reason }));
    return reason === 'failed' ? { reason, error } : { reason };
  }

  return {
    async run(signal) {
      setLeading(false);
      if (!config.enabled) {
        const term = startLeading();
        await untilAborted(AbortSignal.any([signal, term.failed]));
        return stopLeading(term, signal.aborted ? 'shutdown' : 'failed');
      }
      if (!(await acquire(signal))) return { reason: 'never-led' };
      const term = startLeading();
      const reason = await lead(signal, term);
      if (reason !== 'lost') {
        // Stop the term's work first so nothing it writes lands after the next leader's rebuild.
        term.leadership.abort(new Error(`leadership ended: ${reason}`));
        await release();
      }
      return stopLeading(term, reason);
    },
    isLeader: () => leading,
    leader: () => reported,
    check: {
      name: 'leader-election',
      run: () => (failure !== undefined ? { ok: false, reason: `leader term failed while holding lease ${config.namespace}/${config.leaseName}: ${failure}` } : leaderLiveness(config, leading, lastRenewAt, clock.now())),
    },
  };
}

interface Term {
  /** Aborted when leadership ends for any reason (the `onStartedLeading` signal). */
  readonly leadership: AbortController;
  /** Aborted, with the error as reason, when the term's own work ended while leading. */
  readonly failed: AbortSignal;
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

/**
 * client-go `HealthzAdaptor`: only a leader whose last successful renew is older than
 * leaseDuration + 20 s is unhealthy (its renew loop is wedged). Standbys, disabled election
 * and API outages (which end leadership at the renew deadline instead) always pass.
 */
export function leaderLiveness(config: LeaderElectionConfig, leading: boolean, lastRenewAt: number, nowMs: number): CheckResult {
  if (!leading || !config.enabled) return { ok: true };
  const since = nowMs - lastRenewAt;
  const limit = config.leaseDurationMs + LIVENESS_TOLERANCE_MS;
  if (since <= limit) return { ok: true };
  return { ok: false, reason: `leader has not renewed lease ${config.namespace}/${config.leaseName} for ${Math.round(since / 1000)}s (limit ${limit / 1000}s)` };
}
