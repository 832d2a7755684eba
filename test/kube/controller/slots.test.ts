// The controller loop's worker slots: a reconcile waiting off its slot (slot.whileWaiting).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flush, settle } from '../../support/fake-clock.js';
import { deferred, DONE, startedController as setup, stopIdle } from './support.js';

describe('controller loop: waiting off the worker slot', () => {
  it('a reconcile waiting off its slot lets another key run, and takes a slot again before new keys', async () => {
    const nb = deferred<string>();
    const log: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred<void>>>();
    const harness = setup(async (key, _signal, slot) => {
      log.push(`start ${key}`);
      if (key === 'a') log.push(`a got ${await slot.whileWaiting(nb.promise)}`);
      const gate = deferred<void>();
      gates.set(key, gate);
      await gate.promise;
      log.push(`end ${key}`);
      return DONE;
    });
    const { queue, value } = harness;
    queue.add('a');
    queue.add('b');
    queue.add('c');
    await flush();
    assert.deepEqual(log, ['start a', 'start b'], 'b runs in the slot a gave back; c waits');
    assert.equal(await value('controller_runtime_active_workers'), 1);
    nb.resolve('port');
    await flush();
    assert.deepEqual(log, ['start a', 'start b'], 'a waits for the slot b holds');
    gates.get('b')?.resolve();
    await flush();
    assert.deepEqual(log, ['start a', 'start b', 'end b', 'a got port'], 'a resumes ahead of c');
    gates.get('a')?.resolve();
    await flush();
    assert.equal(log.at(-1), 'start c');
    gates.get('c')?.resolve();
    await flush();
    await stopIdle(harness, 3);
  });

  it('never runs one key twice at once, even while it waits off its slot', async () => {
    const nb = deferred<void>();
    let running = 0;
    let peak = 0;
    let runs = 0;
    const { queue, stop, started } = setup(
      async (_key, _signal, slot) => {
        peak = Math.max(peak, (running += 1));
        runs += 1;
        if (runs === 1) await slot.whileWaiting(nb.promise);
        running -= 1;
        return DONE;
      },
      { workers: 2 },
    );
    queue.add('k');
    await flush();
    queue.add('k');
    await flush();
    assert.equal(runs, 1, 'the re-added key waits for the running one to finish');
    nb.resolve();
    await flush();
    assert.equal(runs, 2, 'and runs again after');
    assert.equal(peak, 1);
    stop.abort();
    await started;
  });

  it('a reconcile whose wait rejects takes its slot again before the error reaches it', async () => {
    let holding = 0;
    let peak = 0;
    const { queue, stop, started, value } = setup(async (key, _signal, slot) => {
      peak = Math.max(peak, (holding += 1));
      try {
        if (key === 'a') {
          holding -= 1;
          await slot.whileWaiting(Promise.reject(new Error('nb down'))).finally(() => (holding += 1));
        }
        await new Promise((resolve) => setImmediate(resolve));
        return DONE;
      } finally {
        holding -= 1;
      }
    });
    queue.add('a');
    queue.add('b');
    await settle();
    assert.equal(peak, 1, 'one worker: never two reconciles holding it');
    assert.equal(await value('controller_runtime_reconcile_errors_total'), 1);
    assert.equal(await value('controller_runtime_reconcile_total', 'success'), 1);
    stop.abort();
    await started;
  });

  it('bounds the reconciles waiting off their slots at 64 per worker', async () => {
    const nb = deferred<void>();
    let begun = 0;
    const { queue, stop, started } = setup(async (_key, _signal, slot) => {
      begun += 1;
      await slot.whileWaiting(nb.promise);
      return DONE;
    });
    for (let i = 0; i < 100; i += 1) queue.add(`k${i}`);
    await flush(2000);
    assert.equal(begun, 65, 'one worker plus 64 waiting');
    assert.equal(queue.len(), 35);
    nb.resolve();
    await flush(2000);
    assert.equal(begun, 100);
    stop.abort();
    await started;
  });

  it('on abort waits for reconciles waiting off their slots too', async () => {
    const nb = deferred<void>();
    let finishedReconcile = false;
    const { queue, stop, started } = setup(async (_key, _signal, slot) => {
      await slot.whileWaiting(nb.promise);
      finishedReconcile = true;
      return DONE;
    });
    queue.add('a');
    await flush();
    stop.abort();
    let finished = false;
    void started.then(() => (finished = true));
    await flush();
    assert.equal(finished, false, 'start waits for the reconcile waiting off its slot');
    nb.resolve();
    await started;
    assert.equal(finishedReconcile, true);
  });
});
