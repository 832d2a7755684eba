/**
 * One leadership term: rebuild the IPAM from a fresh quorum list (the cache may lag behind the
 * previous leader's last writes), then run the pod, subnet and IP controllers until the term
 * ends. Nothing is allocated before the rebuild finished.
 */
import { createIpam } from '../ipam/index.js';
import { createController, createWorkqueue, isAlreadyExists, RESOURCES } from '../kube/index.js';
import type { Controller, KubeObject, Resource } from '../kube/index.js';
import type { AddStateGauge } from '../telemetry/instruments.js';
import { CONTROLLER_NAMES, EVENT_REASONS } from './constants.js';
import type { ControllerContext, Enqueue, IpObject, TermState } from './context.js';
import { createIpReconciler } from './ip-controller.js';
import { createPodReconciler } from './pod-controller.js';
import type { Pod } from './pod-rules.js';
import { rebuildIpam } from './rebuild.js';
import { createSubnetReconciler } from './subnet-controller.js';
import { DEFAULT_PROVIDER, protocolOf } from './subnet-rules.js';
import type { SubnetObject } from './subnet-rules.js';

/** Status refreshes after allocations are coalesced over this window, ms. */
const STATUS_COALESCE_MS = 100;
/** Retry bounds of the rebuild list and the default subnet creation, ms. */
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 15_000;
/** Page size of the rebuild lists: large pages keep 10k pods to a few requests. */
const REBUILD_PAGE = 5000;

export interface Session {
  readonly term: TermState;
  /** True once the IPAM is rebuilt (readiness `ipam-init`). */
  ready(): boolean;
  controllers(): readonly Controller[];
  readonly enqueue: Enqueue;
  /** Rebuilds, then runs the controllers until `signal` aborts and they drained. Never rejects. */
  run(signal: AbortSignal): Promise<void>;
}

export type SessionOptions = Omit<ControllerContext, 'term' | 'enqueue'> & { readonly addStateGauge: AddStateGauge | undefined };

export function createSession(options: SessionOptions): Session {
  const { caches, client, clock, logger, config } = options;
  const term: TermState = { ipam: createIpam(), confirmed: new Set(), waiting: new Map(), ipWritten: new Map() };
  let ready = false;
  let started = false;
  let controllers: Controller[] = [];
  const queues = new Map<string, ReturnType<typeof createWorkqueue>>();
  const statusDirty = new Set<string>();
  let cancelStatusTimer: (() => void) | undefined;

  const add = (queue: string, key: string): void => {
    if (started) queues.get(queue)?.add(key);
  };
  const enqueue: Enqueue = {
    pod: (key) => add(CONTROLLER_NAMES.pod, key),
    subnet: (name) => add(CONTROLLER_NAMES.subnet, name),
    ip: (name) => add(CONTROLLER_NAMES.ip, name),
    subnetStatus(name) {
      statusDirty.add(name);
      cancelStatusTimer ??= clock.setTimer(() => {
        cancelStatusTimer = undefined;
        for (const n of statusDirty) enqueue.subnet(n);
        statusDirty.clear();
      }, STATUS_COALESCE_MS);
    },
  };
  const ctx: ControllerContext = { ...options, term, enqueue };

  async function retrying<T>(what: string, fn: () => Promise<T>, signal: AbortSignal): Promise<T | undefined> {
    for (let delay = RETRY_MIN_MS; !signal.aborted; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      try {
        return await fn();
      } catch (err) {
        if (signal.aborted) break;
        logger.warn({ err: err instanceof Error ? err.message : String(err), retryInMs: delay }, `${what} failed; retrying`);
        await pause(delay, signal);
      }
    }
    return undefined;
  }

  function pause(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const onAbort = (): void => {
        cancel();
        resolve();
      };
      const cancel = clock.setTimer(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A quorum list (no resourceVersion) in pages; continue tokens keep one consistent snapshot. */
  async function listAll<T extends KubeObject>(resource: Resource, signal: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    let cont: string | undefined;
    do {
      const page = await client.list<T>(resource, { limit: REBUILD_PAGE, ...(cont === undefined ? {} : { continue: cont }), signal });
      items.push(...page.items);
      cont = page.continue;
    } while (cont !== undefined);
    return items;
  }

  async function rebuild(signal: AbortSignal): Promise<boolean> {
    const started = clock.now();
    const lists = await retrying(
      'IPAM rebuild list',
      () => Promise.all([listAll<SubnetObject>(RESOURCES.subnets, signal), listAll<IpObject>(RESOURCES.ips, signal), listAll<Pod>(RESOURCES.pods, signal)]),
      signal,
    );
    if (lists === undefined) return false;
    const [subnets, ips, pods] = lists;
    const report = rebuildIpam(term.ipam, { subnets, ips, pods, nowMs: clock.now() });
    for (const c of report.conflicts) {
      logger.error({ pod: c.key, subnet: c.subnet, reason: c.reason }, `address not restored: ${c.message}`);
      options.events.record(RESOURCES.pods, c.pod, 'Warning', EVENT_REASONS.acquireFailed, `${c.reason}: ${c.message}`);
    }
    logger.info({ subnets: report.subnets, restored: report.restored, conflicts: report.conflicts.length, ms: clock.now() - started }, 'IPAM rebuilt');
    return true;
  }

  async function ensureDefaultSubnet(signal: AbortSignal): Promise<void> {
    const d = config.defaultSubnet;
    if (caches.subnets.get(d.name) !== undefined) return;
    const body: KubeObject = {
      metadata: { name: d.name },
      spec: { cidrBlock: d.cidr, ...(d.gateway === '' ? {} : { gateway: d.gateway }), excludeIps: [...d.excludeIps], protocol: protocolOf(d.cidr), provider: DEFAULT_PROVIDER, default: true },
    };
    await retrying(
      `creating default subnet ${d.name}`,
      async () => {
        try {
          await client.create(RESOURCES.subnets, body, { signal });
          logger.info({ subnet: d.name, cidr: d.cidr }, 'default subnet created');
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
        }
      },
      signal,
    );
  }

  function startControllers(signal: AbortSignal): Promise<void>[] {
    const drainTimeoutMs = Math.max(1000, Math.floor(config.shutdownTimeoutMs / 2));
    const specs = [
      { name: CONTROLLER_NAMES.subnet, reconcile: createSubnetReconciler(ctx), workers: config.workerNum },
      { name: CONTROLLER_NAMES.pod, reconcile: createPodReconciler(ctx), workers: config.workerNum },
      { name: CONTROLLER_NAMES.ip, reconcile: createIpReconciler(ctx), workers: config.workerNum },
    ];
    for (const spec of specs) {
      const queue = createWorkqueue({ name: spec.name, clock, instruments: options.instruments, addStateGauge: options.addStateGauge });
      queues.set(spec.name, queue);
      const controller = createController({ ...spec, queue, clock, logger, drainTimeoutMs, ...(options.instruments === undefined ? {} : { instruments: options.instruments }) });
      controllers.push(controller);
    }
    started = true;
    return controllers.map((c) => c.start(signal));
  }

  function enqueueAll(): void {
    for (const s of caches.subnets.list()) enqueue.subnet(s.metadata.name ?? '');
    for (const p of caches.pods.list()) enqueue.pod(`${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`);
    for (const ip of caches.ips.list()) enqueue.ip(ip.metadata.name ?? '');
  }

  return {
    term,
    ready: () => ready,
    controllers: () => controllers,
    enqueue,
    async run(signal) {
      try {
        const synced = await Promise.all(Object.values(caches).map((i: { waitForSync(s: AbortSignal): Promise<boolean> }) => i.waitForSync(signal)));
        if (!synced.every(Boolean) || !(await rebuild(signal))) return;
        ready = true;
        const running = startControllers(signal);
        enqueueAll();
        void ensureDefaultSubnet(signal);
        await Promise.all(running);
      } catch (err) {
        logger.error({ err }, 'leadership session failed');
      } finally {
        cancelStatusTimer?.();
        controllers = [];
      }
    },
  };
}
