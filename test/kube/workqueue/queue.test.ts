import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDelayHeap, createItemExponentialRateLimiter, createWorkqueue } from '../../../src/kube/workqueue/index.js';
import { createFakeClock, flush } from '../../support/fake-clock.js';

function setup() {
  const clock = createFakeClock();
  const queue = createWorkqueue({ name: 'test', clock, rateLimiter: createItemExponentialRateLimiter() });
  return { clock, queue };
}

describe('workqueue', () => {
  it('hands out a key queued twice only once', async () => {
    const { queue } = setup();
    queue.add('a');
    queue.add('b');
    queue.add('a');
    assert.equal(queue.len(), 2);
    assert.equal(await queue.get(), 'a');
    assert.equal(await queue.get(), 'b');
    assert.equal(queue.len(), 0);
  });

  it('does not hand out a key being processed; a re-add is processed again after done', async () => {
    const { queue } = setup();
    queue.add('a');
    const first = await queue.get();
    queue.add('a');
    assert.equal(queue.len(), 0, 're-added key must wait for done');
    let second: string | undefined;
    void queue.get().then((key) => (second = key));
    await flush();
    assert.equal(second, undefined);
    queue.done(first!);
    await flush();
    assert.equal(second, 'a');
  });

  it('processes a key re-added many times during processing only once more', async () => {
    const { queue } = setup();
    queue.add('a');
    const key = await queue.get();
    queue.add('a');
    queue.add('a');
    queue.done(key!);
    assert.equal(queue.len(), 1);
  });

  it('wakes a waiting getter when a key is added', async () => {
    const { queue } = setup();
    const pending = queue.get();
    queue.add('x');
    assert.equal(await pending, 'x');
  });

  it('resolves waiting getters with undefined on shutdown and ignores later adds', async () => {
    const { queue } = setup();
    const waiting = [queue.get(), queue.get()];
    queue.shutDown();
    assert.deepEqual(await Promise.all(waiting), [undefined, undefined]);
    queue.add('late');
    assert.equal(await queue.get(), undefined);
    assert.equal(queue.isShuttingDown(), true);
  });

  it('resolves a getter with undefined when its signal aborts, without losing the next key', async () => {
    const { queue } = setup();
    const controller = new AbortController();
    const aborted = queue.get(controller.signal);
    controller.abort();
    assert.equal(await aborted, undefined);
    queue.add('k');
    assert.equal(await queue.get(), 'k');
  });

  it('drains: shutDownWithDrain waits until keys in flight are done', async () => {
    const { queue } = setup();
    queue.add('a');
    queue.add('b');
    const a = await queue.get();
    let drained = false;
    void queue.shutDownWithDrain().then(() => (drained = true));
    await flush();
    assert.equal(drained, false);
    assert.equal(await queue.get(), undefined, 'no new work after shutdown');
    queue.done(a!);
    await flush();
    assert.equal(drained, true);
  });

  it('releases delayed keys in time order on fake time', async () => {
    const { clock, queue } = setup();
    queue.addAfter('late', 300);
    queue.addAfter('early', 100);
    queue.addAfter('middle', 200);
    clock.advance(99);
    assert.equal(queue.len(), 0);
    clock.advance(150);
    assert.deepEqual([await queue.get(), await queue.get(), queue.len()], ['early', 'middle', 0]);
    clock.advance(50);
    assert.equal(queue.len(), 0);
    clock.advance(1);
    assert.equal(await queue.get(), 'late');
  });

  it('keeps the earlier time when a delayed key is added again', () => {
    const { clock, queue } = setup();
    queue.addAfter('a', 500);
    queue.addAfter('a', 100);
    queue.addAfter('a', 900);
    clock.advance(100);
    assert.equal(queue.len(), 1);
    clock.advance(1000);
    assert.equal(queue.len(), 1, 'superseded times must not add the key again');
    assert.equal(clock.pending(), 0, 'no timer is left once nothing waits');
  });

  it('adds immediately for a zero delay', () => {
    const { queue } = setup();
    queue.addAfter('now', 0);
    assert.equal(queue.len(), 1);
  });

  it('retries with backoff 5, 10, 20 ms and forget resets it', async () => {
    const { clock, queue } = setup();
    const releaseTimes: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const start = clock.now();
      queue.addRateLimited('a');
      let waited = 0;
      while (queue.len() === 0 && waited < 100) {
        clock.advance(1);
        waited += 1;
      }
      releaseTimes.push(clock.now() - start);
      queue.done((await queue.get())!);
    }
    assert.deepEqual(releaseTimes, [5, 10, 20]);
    assert.equal(queue.numRequeues('a'), 3);
    queue.forget('a');
    assert.equal(queue.numRequeues('a'), 0);
  });

  it('reports busy from the first queued key until idle again', async () => {
    const { clock, queue } = setup();
    assert.equal(queue.state().busySince, undefined);
    const t = clock.now();
    queue.add('a');
    clock.advance(50);
    const key = await queue.get();
    assert.deepEqual(queue.state(), { queued: 0, processing: 1, delayed: 0, busySince: t });
    queue.done(key!);
    assert.equal(queue.state().busySince, undefined);
  });
});

describe('workqueue under random load', () => {
  it('never hands one key to two workers at once and loses no add', async () => {
    const { clock, queue } = setup();
    const keys = ['a', 'b', 'c', 'd', 'e'];
    const inFlight = new Set<string>();
    const lastAddAt = new Map<string, number>();
    const lastStartAt = new Map<string, number>();
    let seed = 42;
    // Deterministic LCG so a failure reproduces.
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const worker = async (): Promise<void> => {
      for (;;) {
        const key = await queue.get();
        if (key === undefined) return;
        assert.equal(inFlight.has(key), false, `key ${key} handed to two workers`);
        inFlight.add(key);
        lastStartAt.set(key, clock.now());
        for (let i = Math.floor(random() * 4); i > 0; i -= 1) await Promise.resolve();
        inFlight.delete(key);
        queue.done(key);
      }
    };
    const workers = Array.from({ length: 4 }, () => worker());
    for (let step = 0; step < 2000; step += 1) {
      const key = keys[Math.floor(random() * keys.length)]!;
      queue.add(key);
      lastAddAt.set(key, clock.now());
      if (random() < 0.5) await Promise.resolve();
      clock.advance(1);
    }
    await flush(50);
    for (const key of keys) {
      assert.ok(lastStartAt.get(key)! >= lastAddAt.get(key)!, `last add of ${key} was never processed`);
    }
    await queue.shutDownWithDrain();
    await Promise.all(workers);
    assert.equal(inFlight.size, 0);
  });
});

describe('delay heap', () => {
  it('pops keys in time order with ties in insertion order', () => {
    const heap = createDelayHeap();
    const times = [50, 10, 30, 10, 40, 20];
    times.forEach((at, i) => heap.push(`k${i}`, at));
    assert.deepEqual(heap.popReady(35), ['k1', 'k3', 'k5', 'k2']);
    assert.equal(heap.nextAt(), 40);
    assert.equal(heap.size(), 2);
  });
});
