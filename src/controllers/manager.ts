/**
 * The controller manager, generic over the reconciler specs: informers on every replica (fast
 * failover), leader election, and while leading one session per term (rebuild, then per spec a
 * queue and a controller fed by its watches). Exposes the structural health checks main registers.
 */
import type { Check } from '../check/index.js';
import { createSystemClock } from '../clock/index.js';
import type { Clock } from '../clock/index.js';
import type { Config } from '../config/types.js';
import { createInformerSyncCheck, createLeaderElector } from '../kube/index.js';
import type { KubeClient } from '../kube/index.js';
import { reconcileProgressCheck } from '../kube/controller/index.js';
import type { Logger } from '../log/index.js';
import type { NbNetwork } from '../ovn/index.js';
import type { AddStateGauge, Instruments } from '../telemetry/instruments.js';
import { noopInstruments } from '../telemetry/noop-instruments.js';
import { createCaches, routeWatches } from './caches.js';
import type { Caches } from './context.js';
import { createEventRecorder } from './events.js';
import { createOvnPodNetwork } from './ovn/pod-network.js';
import { NO_POD_NETWORK } from './pod/network.js';
import type { PodNetwork } from './pod/network.js';
import { RECONCILERS } from './registry.js';
import { createTerms } from './session/session.js';
import type { Session, Terms } from './session/session.js';
import type { ReconcilerSpec } from './spec.js';

export interface ControllerManagerOptions {
  readonly config: Config;
  readonly client: KubeClient;
  readonly logger: Logger;
  /** Default: no-op instruments. */
  readonly instruments?: Instruments;
  readonly addStateGauge?: AddStateGauge;
  readonly clock?: Clock;
  /** OVN northbound; undefined = off (IPAM only: addresses and annotations, no port, no `routed`). */
  readonly nb?: NbNetwork;
  /** The pod flow's network step. Default: ports in `nb`, or `NO_POD_NETWORK` when it is off. */
  readonly podNetwork?: PodNetwork;
  /** The reconcilers to run. Default `RECONCILERS`. */
  readonly reconcilers?: readonly ReconcilerSpec[];
  /**
   * Called when a term's IPAM is rebuilt (`ipam-init` passes from now on); its workers start once
   * the returned promise settles (a rejection is ignored), so a readiness publish is not queued
   * behind the term's first reconciles.
   */
  readonly onReady?: () => void | Promise<void>;
}

/** The readiness checks every manager registers, by name: reserved before it exists (see `CheckSet.reserve`). */
export const CONTROLLER_READINESS_CHECKS = ['informer-sync', 'ipam-init'] as const;

export interface ControllerManager {
  /** `leader-election`, `reconcile-progress`. */
  readonly livenessChecks: readonly Check[];
  /** `informer-sync`, `ipam-init`. */
  readonly readinessChecks: readonly Check[];
  /**
   * Runs informers, leader election and (while leading) the controllers until `signal` aborts.
   * Resolves `stopped` after an orderly stop (controllers drained, then the lease released), or
   * `lost-leadership` when a renew failed. Never rejects; an unreachable API server keeps it retrying.
   */
  run(signal: AbortSignal): Promise<'stopped' | 'lost-leadership'>;
}

/**
 * `ipam-init` gates a replica's first Ready only. A standby that was Ready and then takes over
 * rebuilds within its term (allocation waits for the rebuild anyway); dropping out of Ready for
 * that moment would only flap its metrics endpoints and probes.
 */
function ipamInitCheck(caches: Caches, isLeader: () => boolean, session: () => Session | undefined): Check {
  let passedOnce = false;
  return {
    name: 'ipam-init',
    run: () => {
      if (passedOnce || !isLeader() || session()?.ready() === true) {
        passedOnce ||= Object.values(caches).every((c) => c.hasSynced());
        return { ok: true };
      }
      return { ok: false, reason: 'IPAM is being rebuilt from subnets, IP objects and pods' };
    },
  };
}

/** Registers every spec's state gauges over the current term (none on a standby); returns the remover. */
function registerGauges(specs: readonly ReconcilerSpec[], add: AddStateGauge | undefined, terms: Terms): () => void {
  if (add === undefined) return () => {};
  const current = () => {
    const session = terms.current();
    return session?.ready() === true ? session.ctx.term : undefined;
  };
  const removers = specs.flatMap((spec) => (spec.gauges === undefined ? [] : [spec.gauges(add, current)]));
  return () => removers.forEach((remove) => remove());
}

/**
 * Starts every informer once. The manager starts them when the first lease attempt settled
 * (this replica leads, or the attempt did not get the lease), not at once: a first leader's caches are
 * then listed inside its term and its rebuild reads them instead of listing every pod again
 * (start -> Ready at 11k realistic pods; bench/RESULTS.md). A standby waits one lease round trip.
 */
function createInformerStart(caches: Caches): { start(): void; stop(): void; done(): Promise<void> } {
  const ctl = new AbortController();
  let running: Promise<unknown> | undefined;
  return {
    start() {
      if (running !== undefined || ctl.signal.aborted) return;
      running = Promise.all(Object.values(caches).map((i: { run(s: AbortSignal): Promise<void> }) => i.run(ctl.signal)));
    },
    stop: () => ctl.abort(),
    done: async () => void (await running?.catch(() => undefined)),
  };
}

export function createControllerManager(options: ControllerManagerOptions): ControllerManager {
  const { config, client } = options;
  const clock = options.clock ?? createSystemClock();
  const instruments = options.instruments ?? noopInstruments();
  const specs = options.reconcilers ?? RECONCILERS;
  const logger = options.logger.child({ component: 'controllers' });
  const caches = createCaches({ client, logger, clock });
  const events = createEventRecorder({ client, logger, clock, host: config.pod.nodeName, instance: config.pod.name });
  const nb = options.nb;
  const podNetwork = options.podNetwork ?? (nb === undefined ? NO_POD_NETWORK : createOvnPodNetwork(nb));
  const terms = createTerms(specs, { config, client, caches, events, logger, clock, instruments, podNetwork, addStateGauge: options.addStateGauge, ...(nb === undefined ? {} : { nb }), ...(options.onReady === undefined ? {} : { onReady: options.onReady }) });
  routeWatches(caches, specs, () => {
    const session = terms.current();
    return session?.routing() === true ? session : undefined;
  });
  let lost = false;
  const informers = createInformerStart(caches);
  const elector = createLeaderElector({
    client,
    config: config.leaderElection,
    logger,
    clock,
    instruments,
    callbacks: {
      // The term's work: if it settles while the lease is held, the term ends `failed` (see `Terms.begin`).
      // The term marks the caches' lists first, so lists begun from here on are its own snapshots.
      onStartedLeading: (leadership) => {
        const work = terms.begin(leadership);
        informers.start();
        return work;
      },
      onNotAcquired: () => informers.start(),
      onStoppedLeading({ reason }) {
        // `failed` too: the term's work stopped while this replica held the lease (exit 1, restart clean).
        if (reason !== 'shutdown') lost = true;
        terms.end();
      },
    },
  });

  async function run(signal: AbortSignal): Promise<'stopped' | 'lost-leadership'> {
    const electorCtl = new AbortController();
    const removeGauges = registerGauges(specs, options.addStateGauge, terms);
    // Controllers drain before the lease is released, so no write of this term lands after the next leader's rebuild list.
    const onAbort = (): void => void terms.stop().finally(() => electorCtl.abort());
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    // Bounded: a slow first lease attempt only costs the first leader its second list.
    const cancelStart = clock.setTimer(() => informers.start(), config.leaderElection.retryPeriodMs);
    try {
      await elector.run(electorCtl.signal);
      await terms.stop();
    } catch (err) {
      logger.error({ err }, 'controller manager failed');
    } finally {
      signal.removeEventListener('abort', onAbort);
      terms.clear();
      cancelStart();
      informers.stop();
      await informers.done();
      removeGauges();
    }
    return lost ? 'lost-leadership' : 'stopped';
  }

  return {
    livenessChecks: [elector.check, reconcileProgressCheck({ controllers: () => terms.current()?.progress() ?? [], stallMs: config.reconcileStallMs, now: () => clock.now() })],
    readinessChecks: [createInformerSyncCheck(Object.values(caches)), ipamInitCheck(caches, () => elector.isLeader(), terms.current)],
    run,
  };
}
