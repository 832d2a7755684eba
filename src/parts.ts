/**
 * The parts of the process, each with its start and stop, for `main.ts` to list in start order.
 * Each part builds what it runs inside its `start`, so anything that can fail happens after the
 * health server answers (and a failure there is a logged fatal exit, never a silent zombie).
 */
import type { Config } from './config/index.js';
import { CONTROLLER_READINESS_CHECKS, createControllerManager, nodeSwitchGateways } from './controllers/index.js';
import { createCheckSet, createEventLoopCheck, createShutdownCheck, pingCheck, startHealthWorker } from './health/index.js';
import type { CheckSet, HealthWorker, PrestartedHealthWorker } from './health/index.js';
import { createKubeClient } from './kube/index.js';
import { createAuthReviewer } from './kube/auth/index.js';
import type { KubeClientOptions } from './kube/index.js';
import type { Part } from './lifecycle/index.js';
import type { Logger } from './log/index.js';
import { createNbClient, createNbNetwork } from './ovn/index.js';
import type { NbNetwork, OvsdbClient } from './ovn/index.js';
import { createTelemetry } from './telemetry/index.js';
import type { Telemetry } from './telemetry/index.js';

/** The health part plus the check sets the later parts register into. */
/** A part that adds readiness checks when it starts, named up front so health can hold their places. */
export interface GatingPart extends Part {
  readonly readinessChecks: readonly string[];
}

export interface HealthPart extends Part {
  readonly livez: CheckSet;
  readonly readyz: CheckSet;
  /** Runs the checks and hands their results to the probe thread now, not at its next tick. */
  publishNow(): Promise<void>;
}

/**
 * Health on 10660: the event-loop monitor and the worker thread answering probes from the
 * checks' latest results (so reconcile bursts and GC pauses cannot delay them). Its stop is
 * announced first (readiness fails at once) and it stops last. `onThreadExit` is called when the
 * thread ends while the part is not stopping: probes would go unanswered. `prestarted`: the
 * thread the launcher started ahead, given its settings here instead of a new one being started.
 */
export function healthPart(config: Config, logger: Logger, onThreadExit: (code: number) => void, prestarted?: PrestartedHealthWorker): HealthPart {
  const livez = createCheckSet('livez');
  const readyz = createCheckSet('readyz');
  const eventLoop = createEventLoopCheck({ thresholdMs: config.health.eventLoopBlockThresholdMs });
  const shutdownCheck = createShutdownCheck();
  livez.add(pingCheck());
  livez.add(eventLoop.check);
  readyz.add(pingCheck());
  readyz.add(shutdownCheck.check);
  let health: HealthWorker | undefined;
  let stopping = false;
  return {
    name: 'health',
    livez,
    readyz,
    async start() {
      eventLoop.start();
      const h = await startHealthWorker({
        host: config.health.host,
        port: config.health.port,
        livez,
        readyz,
        metricsHint: config.metrics.hint,
        extraLivenessPaths: config.health.extraLivenessPaths,
        extraReadinessPaths: config.health.extraReadinessPaths,
        logger,
        staleAfterMs: config.health.eventLoopBlockThresholdMs,
        ...(prestarted === undefined ? {} : { prestarted }),
      });
      health = h;
      logger.info({ host: config.health.host, port: h.port }, 'health server listening');
      void h.exited.then((code) => (stopping ? undefined : onThreadExit(code)));
    },
    async beginStop() {
      stopping = true;
      shutdownCheck.begin();
      await health?.publishNow();
    },
    publishNow: async () => health?.publishNow(),
    async stop(ms) {
      stopping = true;
      eventLoop.stop();
      await health?.close(ms);
    },
  };
}

/** The OpenTelemetry exporters; its stop is the final flush. */
export interface TelemetryPart extends Part {
  /** Set once started. */
  current(): Telemetry | undefined;
}

/**
 * With `--secure-serving` the part reviews scrapers' tokens (TokenReview, SubjectAccessReview)
 * through a client of its own on `kubeconfig`, counted in the same `rest_client_*` metrics: the
 * controllers' client does not exist yet when metrics are first served.
 */
export function telemetryPart(config: Config, logger: Logger, kubeconfig: KubeClientOptions['kubeconfig']): TelemetryPart {
  let telemetry: Telemetry | undefined;
  const secure = config.metrics.exporters.some((e) => e.kind === 'prometheus' && e.secure !== undefined);
  return {
    name: 'telemetry',
    // Telemetry bounds itself to what it is given; the margin keeps it inside this step's bound,
    // and its share leaves time for the health server, which must stop last.
    maxShare: 0.8,
    async start() {
      const t = createTelemetry({ metrics: config.metrics, pod: config.pod, version: config.version, logger });
      telemetry = t;
      const reviewer = secure ? createAuthReviewer(createKubeClient({ kubeconfig, logger, instruments: t.instruments })) : undefined;
      await t.start(reviewer === undefined ? {} : { reviewer });
    },
    stop: (ms) => telemetry?.shutdown(Math.max(0, ms - 250)),
    current: () => telemetry,
  };
}

/** OVN northbound: the client and the NB model over it; `current()` is undefined while off (or not yet started). */
export interface OvnPart extends GatingPart {
  current(): NbNetwork | undefined;
}

/**
 * Connects to `--ovn-nb-addr` (in the background: an unreachable NB keeps retrying with backoff
 * and fails only readiness `ovn-nb`, never liveness), or logs loudly that programming is off.
 * Stops after the controllers (reverse order), so their last requests can still finish.
 */
export function ovnPart(config: Config, logger: Logger, health: HealthPart, telemetry: TelemetryPart): OvnPart {
  let client: OvsdbClient | undefined;
  let network: NbNetwork | undefined;
  return {
    name: 'ovn-nb',
    readinessChecks: config.ovn.nb.kind === 'on' ? ['ovn-nb'] : [],
    start() {
      const instruments = telemetry.current()?.instruments;
      client = createNbClient(config.ovn, logger.child({ component: 'ovn-nb' }), instruments?.ovsClientRequestLatency);
      if (client === undefined) {
        logger.warn('OVN northbound programming is OFF (--ovn-nb-addr unset): IPAM-only mode. Pods get addresses and annotations but no logical switch port and never `ovn.kubernetes.io/routed`, so a real kube-ovn-cni cannot start them.');
        return;
      }
      client.start();
      const o = config.ovn;
      network = createNbNetwork({ client, router: o.clusterRouter, nodeSwitch: o.nodeSwitch, nodeSwitchGateways: nodeSwitchGateways(o), logger, timeoutMs: o.timeoutMs, ...(instruments === undefined ? {} : { instruments }) });
      health.readyz.add(network.readiness);
      const readiness = network.readiness;
      telemetry.current()?.addStateGauge('ovnNbReady', () => [{ attributes: {}, value: readiness.run().ok ? 1 : 0 }]);
      const endpoints = o.nb.kind === 'on' ? o.nb.endpoints.map((e) => (e.kind === 'unix' ? `unix:${e.path}` : `${e.kind}:${e.host}:${e.port}`)) : [];
      logger.info({ endpoints, router: o.clusterRouter, nodeSwitch: o.nodeSwitch }, 'OVN northbound programming on');
    },
    stop: async () => {
      await client?.close();
    },
    current: () => network,
  };
}

export interface ControllersDeps {
  readonly config: Config;
  readonly kubeconfig: KubeClientOptions['kubeconfig'];
  readonly logger: Logger;
  readonly health: HealthPart;
  readonly telemetry: TelemetryPart;
  readonly ovn: OvnPart;
  /** The lease was lost mid-term: another replica may already reconcile. */
  onLostLeadership(): void;
}

/** Informers, leader election and the reconcilers. Its stop drains reconciles and releases the Lease, so a standby takes over at once. */
export function controllersPart(deps: ControllersDeps): GatingPart {
  const { config, logger } = deps;
  const stop = new AbortController();
  let managed: Promise<unknown> = Promise.resolve();
  return {
    name: 'controllers',
    maxShare: 0.5,
    readinessChecks: CONTROLLER_READINESS_CHECKS,
    start() {
      const telemetry = deps.telemetry.current();
      const client = createKubeClient({ kubeconfig: deps.kubeconfig, logger, ...(telemetry === undefined ? {} : { instruments: telemetry.instruments }) });
      const nb = deps.ovn.current();
      // The IPAM rebuilt is the last readiness answer to change at start: published at once, and
      // the term's first reconciles wait for the post, which they would otherwise hold up
      // (bench/RESULTS.md).
      const onReady = (): Promise<void> => deps.health.publishNow();
      const manager = createControllerManager({ config, client, logger, onReady, ...(nb === undefined ? {} : { nb }), ...(telemetry === undefined ? {} : { instruments: telemetry.instruments, addStateGauge: telemetry.addStateGauge }) });
      for (const check of manager.livenessChecks) deps.health.livez.add(check);
      for (const check of manager.readinessChecks) deps.health.readyz.add(check);
      const run = manager.run(stop.signal);
      managed = run;
      void run.then((outcome) => (outcome === 'lost-leadership' && !stop.signal.aborted ? deps.onLostLeadership() : undefined));
    },
    async stop() {
      stop.abort();
      await managed;
    },
  };
}
