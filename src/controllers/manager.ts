/**
 * The controller manager: informers on every replica (fast failover), leader election, and
 * while leading one session (IPAM rebuild, then the reconcilers). Exposes the structural
 * health checks main registers.
 */
import { byNamespace, createInformer, createInformerSyncCheck, createLeaderElector, createSystemClock, INDEX, RESOURCES } from '../kube/index.js';
import type { Clock, KubeClient, KubeObject } from '../kube/index.js';
import { reconcileProgressCheck } from '../kube/controller/index.js';
import type { Config } from '../config/types.js';
import type { Logger } from '../log/index.js';
import type { AddStateGauge, Instruments } from '../telemetry/instruments.js';
import { BIND_NAMESPACE_INDEX, subnetsByBoundNamespace, wakeWaiting } from './context.js';
import type { Caches, IpObject } from './context.js';
import { createEventRecorder } from './events.js';
import type { EventRecorder } from './events.js';
import { registerSubnetGauges } from './metrics.js';
import { annotationsMatch, isHostNetwork, podChanged, podKey, slimPod, withAllocationOf } from './pod-rules.js';
import type { Pod } from './pod-rules.js';
import { createSession } from './session.js';
import type { Session } from './session.js';
import type { SubnetObject } from './subnet-rules.js';

export type CheckResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Structurally `src/health`'s HealthCheck. */
export interface Check {
  readonly name: string;
  run(signal?: AbortSignal): CheckResult | Promise<CheckResult>;
}

export interface ControllerManagerOptions {
  readonly config: Config;
  readonly client: KubeClient;
  readonly logger: Logger;
  readonly instruments?: Instruments;
  readonly addStateGauge?: AddStateGauge;
  readonly clock?: Clock;
}

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

function createCaches(options: ControllerManagerOptions, clock: Clock, current: () => Session | undefined): Caches {
  const { client, logger } = options;
  const base = { client, logger, clock };
  const pods = createInformer<Pod>({ ...base, resource: RESOURCES.pods, indexers: { [INDEX.namespace]: byNamespace }, transform: slimPod });
  const namespaces = createInformer<KubeObject>({ ...base, resource: RESOURCES.namespaces });
  const subnets = createInformer<SubnetObject>({ ...base, resource: RESOURCES.subnets, indexers: { [BIND_NAMESPACE_INDEX]: subnetsByBoundNamespace } });
  const ips = createInformer<IpObject>({ ...base, resource: RESOURCES.ips });
  pods.addHandlers({
    onAdd(pod) {
      if (!isHostNetwork(pod)) current()?.enqueue.pod(podKey(pod));
    },
    onUpdate(old, pod) {
      if (!podChanged(old, pod)) return;
      const session = current();
      if (session === undefined) return;
      const key = podKey(pod);
      // The echo of our own allocation patch: the write already committed it, so reconciling
      // again would only repeat that (half of all pod reconciles in a burst).
      const held = session.term.confirmed.has(key) ? session.term.ipam.get(key) : undefined;
      if (held !== undefined && !podChanged(old, withAllocationOf(pod, old)) && annotationsMatch(pod, held)) return;
      session.enqueue.pod(key);
    },
    onDelete: (pod) => current()?.enqueue.pod(podKey(pod)),
  });
  subnets.addHandlers({
    onAdd: (s) => current()?.enqueue.subnet(s.metadata.name ?? ''),
    onUpdate: (old, s) => {
      const session = current();
      session?.enqueue.subnet(s.metadata.name ?? '');
      // A changed namespace binding can give a waiting pod a different subnet.
      if (session !== undefined && JSON.stringify(old.spec?.namespaces) !== JSON.stringify(s.spec?.namespaces)) wakeWaiting(session.term, session.enqueue.pod);
    },
    onDelete: (s) => current()?.enqueue.subnet(s.metadata.name ?? ''),
  });
  ips.addHandlers({
    onAdd: (ip) => current()?.enqueue.ip(ip.metadata.name ?? ''),
    onUpdate(old, ip) {
      if (old === ip || old.metadata.resourceVersion !== ip.metadata.resourceVersion) current()?.enqueue.ip(ip.metadata.name ?? '');
    },
    onDelete(ip) {
      const session = current();
      session?.term.ipWritten.delete(ip.metadata.name ?? '');
      session?.enqueue.ip(ip.metadata.name ?? '');
    },
  });
  return { pods, namespaces, subnets, ips };
}

export function createControllerManager(options: ControllerManagerOptions): ControllerManager {
  const { config, client } = options;
  const clock = options.clock ?? createSystemClock();
  const logger = options.logger.child({ component: 'controllers' });
  let session: Session | undefined;
  let sessionDone: Promise<void> = Promise.resolve();
  let stopSessionCtl: AbortController | undefined;
  let lost = false;
  const caches = createCaches({ ...options, logger }, clock, () => session);
  const events: EventRecorder = createEventRecorder({ client, logger, clock, host: config.pod.nodeName, instance: config.pod.name });

  const elector = createLeaderElector({
    client,
    config: config.leaderElection,
    logger,
    clock,
    ...(options.instruments === undefined ? {} : { instruments: options.instruments }),
    callbacks: {
      onStartedLeading(leadership) {
        const ctl = new AbortController();
        stopSessionCtl = ctl;
        const s = createSession({ config, client, caches, events, logger, clock, instruments: options.instruments, addStateGauge: options.addStateGauge });
        session = s;
        sessionDone = s.run(AbortSignal.any([leadership, ctl.signal]));
      },
      onStoppedLeading({ reason }) {
        if (reason === 'lost') lost = true;
        stopSessionCtl?.abort();
      },
    },
  });

  // ipam-init gates a replica's first Ready only. A standby that was Ready and then takes over
  // rebuilds within its term (allocation waits for the rebuild anyway); dropping out of Ready
  // for that moment would only flap its metrics endpoints and probes.
  let passedOnce = false;
  const ipamInit: Check = {
    name: 'ipam-init',
    run: () => {
      if (passedOnce || !elector.isLeader() || session?.ready() === true) {
        passedOnce ||= Object.values(caches).every((c) => c.hasSynced());
        return { ok: true };
      }
      return { ok: false, reason: 'IPAM is being rebuilt from subnets, IP objects and pods' };
    },
  };
  const progress = reconcileProgressCheck({ controllers: () => session?.controllers() ?? [], stallMs: config.reconcileStallMs, now: () => clock.now() });
  const informerSync = createInformerSyncCheck(Object.values(caches));

  async function stopSession(): Promise<void> {
    stopSessionCtl?.abort();
    await sessionDone;
  }

  async function run(signal: AbortSignal): Promise<'stopped' | 'lost-leadership'> {
    const informersCtl = new AbortController();
    const electorCtl = new AbortController();
    const removeGauges = registerSubnetGauges(options.addStateGauge, () => (session?.ready() === true ? session.term.ipam : undefined));
    // Controllers drain before the lease is released, so no write of this term lands after the next leader's rebuild list.
    const onAbort = (): void => void stopSession().finally(() => electorCtl.abort());
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const informersDone = Promise.all(Object.values(caches).map((i: { run(s: AbortSignal): Promise<void> }) => i.run(informersCtl.signal)));
    try {
      await elector.run(electorCtl.signal);
      await stopSession();
    } catch (err) {
      logger.error({ err }, 'controller manager failed');
    } finally {
      signal.removeEventListener('abort', onAbort);
      session = undefined;
      informersCtl.abort();
      await informersDone.catch(() => undefined);
      removeGauges();
    }
    return lost ? 'lost-leadership' : 'stopped';
  }

  return {
    livenessChecks: [elector.check, progress],
    readinessChecks: [informerSync, ipamInit],
    run,
  };
}
