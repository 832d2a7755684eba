import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createController } from '../../../src/kube/controller/index.js';
import type { Outcome } from '../../../src/kube/controller/index.js';
import { ApiError } from '../../../src/kube/client/errors.js';
import { createWorkqueue } from '../../../src/kube/workqueue/index.js';
import { flush } from '../../support/fake-clock.js';
import { buildController, captureLogger, deferred, DONE, startedController as setup, stopIdle } from './support.js';

describe('controller loop', () => {
  it('reconciles a queued key once and counts success', async () => {
    const seen: string[] = [];
    const gate = deferred<void>();
    const { queue, stop, started, value } = setup(async (key) => {
      seen.push(key);
      if (key === 'first') await gate.promise;
      return DONE;
    });
    queue.add('first');
    await flush();
    queue.add('ns/a');
    queue.add('ns/a');
    gate.resolve();
    await flush();
    assert.deepEqual(seen, ['first', 'ns/a']);
    assert.equal(await value('controller_runtime_reconcile_total', 'success'), 2);
    assert.deepEqual(await value('controller_runtime_reconcile_time_seconds'), { count: 2, sum: 0 });
    stop.abort();
    await started;
  });

  it('retries a thrown error with backoff 5 ms then 10 ms, counts it and logs it once per interval', async () => {
    const attempts: number[] = [];
    const { clock, queue, stop, started, value, lines } = setup(async () => {
      attempts.push(clock.now());
      if (attempts.length < 3) throw new Error('apiserver unavailable');
      return DONE;
    });
    const t0 = clock.now();
    queue.add('ns/a');
    await flush();
    for (let i = 0; i < 20; i += 1) {
      clock.advance(1);
      await flush();
    }
    assert.deepEqual(attempts.map((t) => t - t0), [0, 5, 15]);
    assert.equal(await value('controller_runtime_reconcile_errors_total'), 2);
    assert.equal(await value('controller_runtime_reconcile_total', 'error'), 2);
    assert.equal(await value('controller_runtime_reconcile_total', 'success'), 1);
    assert.equal(queue.numRequeues('ns/a'), 0, 'success forgets the backoff');
    assert.equal(lines.filter((l) => l['msg'] === 'reconcile failed; retrying with backoff').length, 1);
    stop.abort();
    await started;
  });

  it('retries a 409 Conflict (also wrapped as a cause) with backoff and counts it, without an error line', async () => {
    let attempts = 0;
    const { clock, queue, stop, started, value, lines } = setup(async () => {
      attempts += 1;
      const conflict = new ApiError(409, 'Conflict', 'Operation cannot be fulfilled on subnets.kubeovn.io "s": the object has been modified');
      if (attempts === 1) throw conflict;
      if (attempts === 2) throw new Error('subnet s: removing finalizer failed', { cause: conflict });
      return DONE;
    });
    queue.add('s');
    await flush();
    for (let i = 0; i < 20; i += 1) {
      clock.advance(1);
      await flush();
    }
    assert.equal(attempts, 3);
    assert.equal(await value('controller_runtime_reconcile_errors_total'), 2);
    assert.equal(lines.filter((l) => l['level'] === 50 || l['msg'] === 'reconcile failed; retrying with backoff').length, 0);
    stop.abort();
    await started;
  });

  it('requeues with backoff on requeue and after the given time on requeueAfter', async () => {
    const outcomes: Outcome[] = [{ kind: 'requeue' }, { kind: 'requeueAfter', ms: 1000 }, DONE];
    const attempts: number[] = [];
    const { clock, queue, stop, started, value } = setup(async () => (attempts.push(clock.now()), outcomes.shift()!));
    const t0 = clock.now();
    queue.add('k');
    await flush();
    clock.advance(5);
    await flush();
    assert.equal(queue.numRequeues('k'), 0, 'requeueAfter forgets the backoff');
    clock.advance(999);
    await flush();
    assert.equal(attempts.length, 2);
    clock.advance(1);
    await flush();
    assert.deepEqual(attempts.map((t) => t - t0), [0, 5, 1005]);
    assert.equal(await value('controller_runtime_reconcile_total', 'requeue'), 1);
    assert.equal(await value('controller_runtime_reconcile_total', 'requeue_after'), 1);
    stop.abort();
    await started;
  });

  it('runs at most `workers` reconciles at once and reports active and max workers', async () => {
    const gate = deferred<void>();
    let active = 0;
    let peak = 0;
    const harness = setup(
      async () => {
        peak = Math.max(peak, (active += 1));
        await gate.promise;
        active -= 1;
        return DONE;
      },
      { workers: 3 },
    );
    const { queue, value } = harness;
    for (let i = 0; i < 10; i += 1) queue.add(`k${i}`);
    await flush();
    assert.equal(peak, 3);
    assert.equal(queue.len(), 7);
    assert.equal(await value('controller_runtime_active_workers'), 3);
    assert.equal(await value('controller_runtime_max_concurrent_reconciles'), 3);
    gate.resolve();
    await flush(50);
    await stopIdle(harness, 10);
  });

  it('on abort starts nothing new, hands the signal to in-flight reconciles and waits for them', async () => {
    const gate = deferred<Outcome>();
    const signals: AbortSignal[] = [];
    const { queue, controller, stop, started } = setup(async (_key, signal) => (signals.push(signal), gate.promise));
    queue.add('a');
    queue.add('b');
    await flush();
    stop.abort();
    let finished = false;
    void started.then(() => (finished = true));
    await flush();
    assert.equal(signals[0]?.aborted, true);
    assert.equal(finished, false, 'start waits for the in-flight reconcile');
    gate.resolve(DONE);
    await started;
    assert.equal(signals.length, 1, 'b was never started');
    assert.equal(controller.isRunning(), false);
    assert.equal(queue.isShuttingDown(), true);
  });

  it('gives up waiting for a wedged reconcile after the drain bound', async () => {
    const { clock, queue, stop, started, lines } = setup(() => new Promise<Outcome>(() => undefined), { drainTimeoutMs: 2000 });
    queue.add('a');
    await flush();
    stop.abort();
    let finished = false;
    void started.then(() => (finished = true));
    await flush();
    clock.advance(1999);
    await flush();
    assert.equal(finished, false);
    clock.advance(1);
    await flush();
    assert.equal(finished, true);
    assert.ok(lines.some((l) => l['msg'] === 'reconciles still running after the drain bound; giving up waiting'));
  });

  it('returns at once and shuts the queue when started with an aborted signal', async () => {
    const { controller, queue } = buildController(async () => DONE);
    await controller.start(AbortSignal.abort());
    assert.equal(queue.isShuttingDown(), true);
  });

  it('rejects a second start and a worker count below 1', async () => {
    const { controller } = buildController(async () => DONE);
    const stop = new AbortController();
    const first = controller.start(stop.signal);
    await assert.rejects(controller.start(stop.signal), /start called twice/);
    stop.abort();
    await first;
    const { logger } = captureLogger();
    const queue = createWorkqueue({ name: 'x' });
    assert.throws(() => createController({ name: 'x', queue, reconcile: async () => DONE, workers: 0, logger }), /expected workers to be an integer >= 1, got 0/);
  });
});
