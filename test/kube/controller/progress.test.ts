import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconcileProgressCheck, stalledForMs } from '../../../src/kube/controller/index.js';
import type { Outcome, Progress, ProgressSource } from '../../../src/kube/controller/index.js';
import { flush } from '../../support/fake-clock.js';
import { buildController, deferred, DONE } from './support.js';

const STALL_MS = 60_000;

function setup(reconcile: () => Promise<Outcome>) {
  const harness = buildController(reconcile);
  const check = reconcileProgressCheck({ controllers: [harness.controller], stallMs: STALL_MS, now: () => harness.clock.now() });
  const stop = new AbortController();
  return { ...harness, check, stop, start: () => harness.controller.start(stop.signal) };
}

describe('stalledForMs', () => {
  const cases: Array<[string, number | undefined, number | undefined, number, number]> = [
    ['idle is never stalled', undefined, 100, 10_000, 0],
    ['busy with no reconcile ever finished counts from busySince', 1000, undefined, 5000, 4000],
    ['a reconcile finished after work appeared resets the count', 1000, 3000, 5000, 2000],
    ['a reconcile finished before work appeared does not count', 3000, 1000, 5000, 2000],
  ];
  for (const [name, busySince, lastFinishedAt, now, expected] of cases) {
    it(name, () => assert.equal(stalledForMs(busySince, lastFinishedAt, now), expected));
  }
});

describe('reconcile-progress check', () => {
  it('passes while the queue is idle, however long', async () => {
    const { clock, check, stop, start } = setup(async () => DONE);
    const started = start();
    clock.advance(10 * STALL_MS);
    assert.deepEqual(check.run(), { ok: true });
    stop.abort();
    await started;
  });

  it('fails when a wedged reconcile holds work past the bound (Kube-OVN issue #7497)', async () => {
    const { clock, queue, check, stop, start, controller } = setup(() => new Promise<Outcome>(() => undefined));
    const started = start();
    queue.add('ns/pod');
    queue.add('ns/other');
    await flush();
    clock.advance(STALL_MS);
    assert.deepEqual(check.run(), { ok: true }, 'exactly the bound is still ok');
    clock.advance(1);
    const result = check.run();
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.reason, /controller "test": work pending \(queued=1, processing=1\) for 60s with no reconcile finished \(bound 60s\)/);
    assert.deepEqual(controller.progress(clock.now()), { queued: 1, processing: 1, lastFinishedAt: undefined, stalledForMs: STALL_MS + 1 });
    stop.abort();
    await flush();
    clock.advance(5000);
    await started;
  });

  it('passes while reconciles keep finishing under a steady backlog', async () => {
    let gate = deferred<Outcome>();
    const { clock, queue, check, stop, start } = setup(() => gate.promise);
    const started = start();
    for (let i = 0; i < 5; i += 1) queue.add(`k${i}`);
    for (let i = 0; i < 4; i += 1) {
      await flush();
      clock.advance(STALL_MS / 2);
      const finishing = gate;
      gate = deferred<Outcome>();
      finishing.resolve(DONE);
      await flush();
      assert.deepEqual(check.run(), { ok: true }, `round ${i}`);
    }
    gate.resolve(DONE);
    stop.abort();
    await started;
  });

  it('passes for a controller that is not running because this replica is not leader', () => {
    const { clock, queue, check } = setup(async () => DONE);
    queue.add('queued-by-informer');
    clock.advance(10 * STALL_MS);
    assert.deepEqual(check.run(), { ok: true });
  });

  it('reads the controller list on every run and names every stalled controller', () => {
    const stalled = (name: string): ProgressSource => ({
      name,
      progress: (): Progress => ({ queued: 2, processing: 0, lastFinishedAt: undefined, stalledForMs: 2 * STALL_MS }),
    });
    const list: ProgressSource[] = [];
    const check = reconcileProgressCheck({ controllers: () => list, stallMs: STALL_MS, now: () => 0 });
    assert.deepEqual(check.run(), { ok: true });
    list.push(stalled('subnet'), stalled('pod'));
    const result = check.run();
    assert.equal(check.name, 'reconcile-progress');
    assert.match(result.ok ? '' : result.reason, /"subnet".*; controller "pod"/);
  });

  it('rejects a non-positive bound', () => {
    assert.throws(() => reconcileProgressCheck({ controllers: [], stallMs: 0 }), /expected stallMs > 0, got 0/);
  });
});
