/**
 * The workers of one term, generic over the reconciler specs: per spec a queue and a
 * controller; the `Enqueue` the reconcilers use to reach each other's queues.
 */
import type { Clock } from '../../clock/index.js';
import type { Config } from '../../config/types.js';
import { createController, createWorkqueue } from '../../kube/index.js';
import type { Controller, Workqueue } from '../../kube/index.js';
import type { Logger } from '../../log/index.js';
import type { AddStateGauge, Instruments } from '../../telemetry/instruments.js';
import { CONTROLLER_NAMES } from '../constants.js';
import type { ControllerContext, Enqueue } from '../context.js';
import type { ReconcilerSpec } from '../spec.js';

/**
 * Usage-driven status refreshes of one subnet: the first waits this long after a quiet period
 * (allocations arriving together share it), ms.
 */
const STATUS_COALESCE_MS = 100;
/**
 * ... and each later one at least this long after the previous refresh began, ms: a burst of
 * 10k allocations in a subnet writes about one status per second (plus the trailing one with
 * the exact final usage) whatever the allocation rate. Spec and deletion changes are not
 * delayed: they reach the subnet queue straight from the informer.
 */
const STATUS_MIN_INTERVAL_MS = 1000;

export interface WorkerDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly instruments: Instruments;
  readonly addStateGauge: AddStateGauge | undefined;
}

export interface Workers {
  readonly enqueue: Enqueue;
  /** Adds `key` to the queue of reconciler `name`; dropped before `start` (the post-rebuild keys cover it). */
  add(name: string, key: string): void;
  /** True once the queues exist: events are routed from then on. */
  started(): boolean;
  /** Creates every queue and controller and runs them until `signal` aborts; resolves when all drained. */
  run(specs: readonly ReconcilerSpec[], ctx: ControllerContext, signal: AbortSignal): Promise<void>;
  controllers(): readonly Controller[];
}

export function createWorkers(deps: WorkerDeps): Workers {
  const { clock, config } = deps;
  const queues = new Map<string, Workqueue>();
  let controllers: Controller[] = [];
  const statusRefresh = createStatusRefresh(clock, (name) => add(CONTROLLER_NAMES.subnet, name));

  const add = (name: string, key: string): void => queues.get(name)?.add(key);
  const enqueue: Enqueue = {
    pod: (key) => add(CONTROLLER_NAMES.pod, key),
    subnet: (name) => add(CONTROLLER_NAMES.subnet, name),
    ip: (name) => add(CONTROLLER_NAMES.ip, name),
    subnetStatus: (name) => statusRefresh.request(name),
  };

  async function run(specs: readonly ReconcilerSpec[], ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    // Half the shutdown budget: the lease release and telemetry's last flush come after the drain.
    const drainTimeoutMs = Math.max(1000, Math.floor(config.shutdownTimeoutMs / 2));
    const { instruments, addStateGauge, logger } = deps;
    for (const spec of specs) {
      const queue = createWorkqueue({ name: spec.name, clock, instruments, addStateGauge });
      queues.set(spec.name, queue);
      controllers.push(createController({ name: spec.name, reconcile: spec.reconciler(ctx), workers: config.workerNum, queue, clock, logger, drainTimeoutMs, instruments }));
    }
    const running = controllers.map((c) => c.start(signal));
    for (const spec of specs) for (const key of spec.initialKeys(ctx.caches, ctx.term)) add(spec.name, key);
    try {
      await Promise.all(running);
    } finally {
      statusRefresh.cancel();
      controllers = [];
    }
  }

  return { enqueue, add, started: () => queues.size > 0, run, controllers: () => controllers };
}

/**
 * Per subnet, at most one refresh pending: requests while one is pending join it. The queue
 * runs one reconcile per subnet at a time and reads the usage when it runs, so the last
 * refresh after the last change writes the exact final numbers.
 */
function createStatusRefresh(clock: Clock, refresh: (name: string) => void): { request(name: string): void; cancel(): void } {
  const pending = new Map<string, () => void>();
  const lastAt = new Map<string, number>();
  return {
    request(name) {
      if (pending.has(name)) return;
      const last = lastAt.get(name);
      const wait = last === undefined ? STATUS_COALESCE_MS : Math.max(STATUS_COALESCE_MS, last + STATUS_MIN_INTERVAL_MS - clock.now());
      pending.set(name, clock.setTimer(() => {
        pending.delete(name);
        const now = clock.now();
        lastAt.set(name, now);
        // Names come from served subnets, so this stays small; forget the quiet ones anyway.
        if (lastAt.size > 1024) for (const [n, at] of lastAt) if (now - at >= STATUS_MIN_INTERVAL_MS) lastAt.delete(n);
        refresh(name);
      }, wait));
    },
    cancel() {
      for (const stop of pending.values()) stop();
      pending.clear();
    },
  };
}
