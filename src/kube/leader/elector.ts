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

export interface LeaderCallbacks {
  /** Runs once this replica leads; `signal` aborts when leadership ends for any reason. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called once when this replica stops leading: `lost` (renew deadline passed; exit non-zero) or `shutdown`. Not called if it never led. */
  onStoppedLeading(info: { readonly reason: 'lost' | 'shutdown' }): void;
  /** A different holder was observed (including ourselves); empty holders are not reported. */
  onNewLeader?(identity: string): void;
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
  /** Campaigns, leads and releases; resolves when `signal` aborts (after the release) or leadership is lost. Never rejects. */
  run(signal: AbortSignal): Promise<void>;
  isLeader(): boolean;
  /** Last observed holder; empty when unknown. */
  leader(): string;
  /** Liveness check `leader-election` (structurally a health check). */
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

  const setLeading = (value: boolean): void => {
    leading = value;
    options.instruments?.leaderElectionMasterStatus.record(value ? 1 : 0, { name: config.leaseName });
  };
  const report = (holder: string): void => {
    if (holder === '' || holder === reported) return;
    reported = holder;
    logger.info({ leader: holder }, 'new leader observed');
    try {
      callbacks.onNewLeader?.(holder);
    } catch (err) {
      logger.error({ err }, 'onNewLeader threw');
    }
  };
  const remember = (written: Lease, at: number): void => {
    lease = written;
    observation = observe(observation, written.spec ?? {}, at);
    report(written.spec?.holderIdentity ?? '');
  };

  async function tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const at = clock.now();
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

  async function lead(signal: AbortSignal): Promise<'lost' | 'shutdown'> {
    while (!signal.aborted) {
      if (!(await sleepUnlessAborted(clock, config.retryPeriodMs, signal))) break;
      const renewed = await renewWithinDeadline(signal);
      if (signal.aborted) break;
      if (!renewed) return 'lost';
    }
    return 'shutdown';
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

  function startLeading(): AbortController {
    const leadership = new AbortController();
    lastRenewAt = clock.now();
    setLeading(true);
    logger.info('started leading');
    void Promise.resolve()
      .then(() => callbacks.onStartedLeading(leadership.signal))
      .catch((err: unknown) => logger.error({ err }, 'onStartedLeading failed'));
    return leadership;
  }

  function stopLeading(leadership: AbortController, reason: 'lost' | 'shutdown'): void {
    leadership.abort(new Error(`leadership ended: ${reason}`));
    setLeading(false);
    (reason === 'lost' ? logger.error.bind(logger) : logger.info.bind(logger))({ reason }, 'stopped leading');
    try {
      callbacks.onStoppedLeading({ reason });
    } catch (err) {
      logger.error({ err }, 'onStoppedLeading threw');
    }
  }

  return {
    async run(signal) {
      setLeading(false);
      if (!config.enabled) {
        const leadership = startLeading();
        await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
        stopLeading(leadership, 'shutdown');
        return;
      }
      if (!(await acquire(signal))) return;
      const leadership = startLeading();
      const reason = await lead(signal);
      if (reason === 'shutdown') {
        leadership.abort(new Error('leadership ended: shutdown'));
        await release();
      }
      stopLeading(leadership, reason);
    },
    isLeader: () => leading,
    leader: () => reported,
    check: { name: 'leader-election', run: () => leaderLiveness(config, leading, lastRenewAt, clock.now()) },
  };
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
