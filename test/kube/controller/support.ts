import assert from 'node:assert/strict';
import { createLogger } from '../../../src/log/index.js';
import type { Logger } from '../../../src/log/index.js';
import { createController } from '../../../src/kube/controller/index.js';
import type { Controller, Outcome, Reconcile } from '../../../src/kube/controller/index.js';
import { createItemExponentialRateLimiter, createWorkqueue } from '../../../src/kube/workqueue/index.js';
import type { Workqueue } from '../../../src/kube/workqueue/index.js';
import { createFakeClock } from '../../support/fake-clock.js';
import type { FakeClock } from '../../support/fake-clock.js';
import { createMetricsHarness } from '../../support/metrics.js';

/** A logger whose JSON lines land in `lines`. */
export function captureLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { logger, lines };
}

/** A promise with its resolve exposed. */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export interface Harness {
  clock: FakeClock;
  queue: Workqueue;
  controller: Controller;
  metrics: ReturnType<typeof createMetricsHarness>;
  lines: Array<Record<string, unknown>>;
  /** Current value of a series labelled `controller=test` (and `result` when given). */
  value(name: string, result?: string): Promise<unknown>;
}

export function buildController(reconcile: Reconcile, overrides: { workers?: number; drainTimeoutMs?: number } = {}): Harness {
  const clock = createFakeClock();
  const metrics = createMetricsHarness();
  const { logger, lines } = captureLogger();
  const queue = createWorkqueue({ name: 'test', clock, rateLimiter: createItemExponentialRateLimiter(), instruments: metrics.instruments });
  const controller = createController({
    name: 'test',
    queue,
    reconcile,
    workers: overrides.workers ?? 1,
    instruments: metrics.instruments,
    clock,
    logger,
    drainTimeoutMs: overrides.drainTimeoutMs ?? 5000,
  });
  const value = async (name: string, result?: string): Promise<unknown> =>
    (await metrics.points(name)).find((p) => p.attributes['controller'] === 'test' && (result === undefined || p.attributes['result'] === result))?.value;
  return { clock, queue, controller, metrics, lines, value };
}

export const DONE: Outcome = { kind: 'done' };

/** A started controller over `reconcile`, with its stop handle. */
export function startedController(reconcile: Reconcile, overrides: { workers?: number; drainTimeoutMs?: number } = {}) {
  const harness = buildController(reconcile, overrides);
  const stop = new AbortController();
  const started = harness.controller.start(stop.signal);
  return { ...harness, stop, started };
}

/** Every reconcile finished (`successes` of them) and no worker busy; then stops the controller. */
export async function stopIdle(h: ReturnType<typeof startedController>, successes: number): Promise<void> {
  assert.equal(await h.value('controller_runtime_reconcile_total', 'success'), successes);
  assert.equal(await h.value('controller_runtime_active_workers'), 0);
  h.stop.abort();
  await h.started;
}
