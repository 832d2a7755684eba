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

/** Status refreshes after allocations are coalesced over this window, ms (a burst of 1000 allocations writes one status). */
const STATUS_COALESCE_MS = 100;

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
  const statusDirty = new Set<string>();
  let cancelStatusTimer: (() => void) | undefined;

  const add = (name: string, key: string): void => queues.get(name)?.add(key);
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
      cancelStatusTimer?.();
      controllers = [];
    }
  }

  return { enqueue, add, started: () => queues.size > 0, run, controllers: () => controllers };
}
