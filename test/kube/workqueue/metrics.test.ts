import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createItemExponentialRateLimiter, createWorkqueue } from '../../../src/kube/workqueue/index.js';
import { createFakeClock } from '../../support/fake-clock.js';
import { createMetricsHarness } from '../../support/metrics.js';

function setup() {
  const clock = createFakeClock();
  const metrics = createMetricsHarness();
  const queue = createWorkqueue({
    name: 'pods',
    clock,
    rateLimiter: createItemExponentialRateLimiter(),
    instruments: metrics.instruments,
    addStateGauge: metrics.addStateGauge,
  });
  const value = async (name: string): Promise<unknown> => (await metrics.points(name)).find((p) => p.attributes['name'] === 'pods')?.value;
  return { clock, metrics, queue, value };
}

describe('workqueue metrics', () => {
  it('counts adds, not duplicate adds, and tracks depth', async () => {
    const { queue, value } = setup();
    queue.add('a');
    queue.add('a');
    queue.add('b');
    assert.equal(await value('workqueue_adds_total'), 2);
    assert.equal(await value('workqueue_depth'), 2);
    await queue.get();
    assert.equal(await value('workqueue_depth'), 1);
  });

  it('records queue and work durations in seconds', async () => {
    const { clock, queue, value } = setup();
    queue.add('a');
    clock.advance(2000);
    const key = await queue.get();
    clock.advance(500);
    queue.done(key!);
    assert.deepEqual(await value('workqueue_queue_duration_seconds'), { count: 1, sum: 2 });
    assert.deepEqual(await value('workqueue_work_duration_seconds'), { count: 1, sum: 0.5 });
  });

  it('counts every delayed add as a retry', async () => {
    const { queue, value } = setup();
    queue.addRateLimited('a');
    queue.addAfter('b', 1000);
    assert.equal(await value('workqueue_retries_total'), 2);
  });

  it('reports unfinished work and the longest running processor at collection time', async () => {
    const { clock, metrics, queue } = setup();
    queue.add('a');
    queue.add('b');
    await queue.get();
    clock.advance(3000);
    const b = await queue.get();
    clock.advance(1000);
    assert.deepEqual(metrics.statePoints('workqueueUnfinishedWork'), [{ attributes: { name: 'pods' }, value: 5 }]);
    assert.deepEqual(metrics.statePoints('workqueueLongestRunning'), [{ attributes: { name: 'pods' }, value: 4 }]);
    queue.done(b!);
    assert.equal(metrics.statePoints('workqueueUnfinishedWork')[0]?.value, 4);
  });

  it('stops reporting state gauges and zeroes depth once shut down', async () => {
    const { metrics, queue, value } = setup();
    queue.add('a');
    queue.add('b');
    queue.shutDown();
    assert.deepEqual(metrics.statePoints('workqueueLongestRunning'), []);
    assert.equal(await value('workqueue_depth'), 0);
  });

  it('works without any metrics sink', async () => {
    const queue = createWorkqueue({ name: 'plain', clock: createFakeClock() });
    queue.add('a');
    assert.equal(await queue.get(), 'a');
  });
});
