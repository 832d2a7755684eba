import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { collectSnapshot, createCheckSet, createSnapshotView, pingCheck } from '../../src/health/index.js';
import type { HealthSnapshot, ReportedCheck } from '../../src/health/index.js';

function setup(initial = { livez: ['ping', 'event-loop'], readyz: ['ping', 'shutdown'] }, staleAfterMs = 1000) {
  let t = 0;
  const view = createSnapshotView({ initial, staleAfterMs, now: () => t });
  const advance = (ms: number): void => {
    t += ms;
  };
  const run = async (kind: 'livez' | 'readyz', name: string) => {
    const check = view[kind].checks().find((c) => c.name === name);
    assert.ok(check, `${kind} has no check ${name}`);
    return check.run(new AbortController().signal);
  };
  let seq = 0;
  const snapshot = (livez: ReportedCheck[], readyz: ReportedCheck[]): HealthSnapshot => ({ seq: seq++, at: 0, livez, readyz });
  return { view, advance, run, snapshot };
}

const ok = (name: string): ReportedCheck => ({ name, ok: true });
const failed = (name: string, reason: string): ReportedCheck => ({ name, ok: false, reason });

describe('createSnapshotView', () => {
  it('registers the initial names in order before any snapshot', () => {
    const { view } = setup();
    assert.deepEqual(view.livez.checks().map((c) => c.name), ['ping', 'event-loop']);
    assert.deepEqual(view.readyz.checks().map((c) => c.name), ['ping', 'shutdown']);
  });

  it('passes liveness and fails readiness until the first snapshot', async () => {
    const { run } = setup();
    assert.deepEqual(await run('livez', 'event-loop'), { ok: true });
    assert.deepEqual(await run('readyz', 'ping'), { ok: true });
    assert.deepEqual(await run('readyz', 'shutdown'), { ok: false, reason: 'no report from the main thread yet' });
  });

  it('answers from the latest snapshot and appends checks registered since', async () => {
    const { view, run, snapshot } = setup();
    view.apply(snapshot([ok('ping'), ok('event-loop'), failed('leader-election', 'renew deadline passed')], [ok('ping'), ok('shutdown')]));
    assert.deepEqual(view.livez.checks().map((c) => c.name), ['ping', 'event-loop', 'leader-election']);
    assert.deepEqual(await run('livez', 'leader-election'), { ok: false, reason: 'renew deadline passed' });
    assert.deepEqual(await run('readyz', 'shutdown'), { ok: true });
  });

  it('ignores a snapshot older than the one applied', async () => {
    const { view, run } = setup();
    view.apply({ seq: 2, at: 0, livez: [], readyz: [failed('shutdown', 'shutting down')] });
    view.apply({ seq: 1, at: 0, livez: [], readyz: [ok('shutdown')] });
    assert.deepEqual(await run('readyz', 'shutdown'), { ok: false, reason: 'shutting down' });
  });

  const staleCases = [
    { what: 'after the last snapshot', applyFirst: true },
    { what: 'from the start when no snapshot ever came', applyFirst: false },
  ];
  for (const { what, applyFirst } of staleCases) {
    it(`fails every check but ping once the main thread is silent past the bound, counted ${what}`, async () => {
      const { view, advance, run, snapshot } = setup(undefined, 1000);
      if (applyFirst) view.apply(snapshot([ok('ping'), ok('event-loop')], [ok('ping'), ok('shutdown')]));
      advance(1000);
      assert.deepEqual(await run('livez', 'event-loop'), { ok: true });
      advance(1);
      assert.deepEqual(await run('livez', 'event-loop'), { ok: false, reason: 'main thread has not reported for 1001ms' });
      assert.deepEqual(await run('readyz', 'shutdown'), { ok: false, reason: 'main thread has not reported for 1001ms' });
      assert.deepEqual(await run('livez', 'ping'), { ok: true });
      view.apply(snapshot([ok('ping'), ok('event-loop')], [ok('ping'), ok('shutdown')]));
      assert.deepEqual(await run('livez', 'event-loop'), { ok: true });
    });
  }

  it('rejects a non-positive staleness bound', () => {
    assert.throws(() => createSnapshotView({ initial: { livez: [], readyz: [] }, staleAfterMs: 0, now: () => 0 }), /staleAfterMs must be > 0, got 0/);
  });
});

describe('collectSnapshot', () => {
  it('reports every check of both sets in order, with the reasons of failures and throws', async () => {
    const livez = createCheckSet('livez');
    const readyz = createCheckSet('readyz');
    livez.add(pingCheck());
    livez.add({ name: 'throws', run: () => { throw new Error('boom'); } });
    readyz.add({ name: 'fails', run: async () => ({ ok: false, reason: 'not synced' }) });
    const snap = await collectSnapshot({ livez, readyz }, 7, 500);
    assert.equal(snap.seq, 7);
    assert.deepEqual(snap.livez, [ok('ping'), failed('throws', 'boom')]);
    assert.deepEqual(snap.readyz, [failed('fails', 'not synced')]);
  });
});
