import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { createCheckSet, createShutdownCheck, pingCheck } from '../../src/health/index.js';
import { runCheck } from '../../src/health/run.js';
import type { CheckResult, HealthCheck } from '../../src/health/index.js';

function check(name: string, run: HealthCheck['run']): HealthCheck {
  return { name, run };
}

describe('createCheckSet', () => {
  function setup() {
    return createCheckSet('readyz');
  }

  it('keeps registration order and hands out snapshots', () => {
    const set = setup();
    set.add(check('b', () => ({ ok: true })));
    const before = set.checks();
    set.add(check('a', () => ({ ok: true })));
    assert.deepEqual(before.map((c) => c.name), ['b']);
    assert.deepEqual(set.checks().map((c) => c.name), ['b', 'a']);
    assert.equal(set.kind, 'readyz');
  });

  it('throws on a duplicate name, naming it', () => {
    const set = setup();
    set.add(pingCheck());
    assert.throws(() => set.add(pingCheck()), /readyz check `ping` is already registered/);
  });

  it('holds a reserved place, failing with its reason, until the check of that name is added', async () => {
    const set = setup();
    set.add(pingCheck());
    set.reserve('informer-sync', 'controllers not started');
    set.add(check('shutdown', () => ({ ok: true })));
    const placeholder = set.checks()[1]!;
    assert.deepEqual(await placeholder.run(new AbortController().signal), { ok: false, reason: 'controllers not started' });
    set.add(check('informer-sync', () => ({ ok: true })));
    assert.deepEqual(set.checks().map((c) => c.name), ['ping', 'informer-sync', 'shutdown']);
    assert.deepEqual(await set.checks()[1]!.run(new AbortController().signal), { ok: true });
    assert.throws(() => set.add(check('informer-sync', () => ({ ok: true }))), /already registered/);
    assert.throws(() => set.reserve('ping', 'x'), /already registered/);
  });

  for (const bad of ['', 'a/b', 'has space', '-lead']) {
    it(`rejects the name ${JSON.stringify(bad)} that cannot be a path segment`, () => {
      assert.throws(() => setup().add(check(bad, () => ({ ok: true }))), /check name/);
    });
  }
});

describe('built-in checks', () => {
  it('ping always passes', async () => {
    assert.equal(pingCheck().name, 'ping');
    assert.deepEqual(await pingCheck().run(new AbortController().signal), { ok: true });
  });

  it('shutdown passes until begin() and then fails for good', () => {
    const { check: shutdown, begin } = createShutdownCheck();
    const signal = new AbortController().signal;
    assert.equal(shutdown.name, 'shutdown');
    assert.deepEqual(shutdown.run(signal), { ok: true });
    begin();
    begin();
    assert.deepEqual(shutdown.run(signal), { ok: false, reason: 'shutting down' });
  });
});

describe('runCheck', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  const cases: { name: string; run: HealthCheck['run']; want: CheckResult }[] = [
    { name: 'passes a sync ok through', run: () => ({ ok: true }), want: { ok: true } },
    { name: 'passes an async failure through', run: async () => ({ ok: false, reason: 'not synced' }), want: { ok: false, reason: 'not synced' } },
    {
      name: 'turns a sync throw into a failure with its message',
      run: () => {
        throw new Error('informers gone');
      },
      want: { ok: false, reason: 'informers gone' },
    },
    { name: 'turns a rejection into a failure with its message', run: () => Promise.reject(new Error('lease lost')), want: { ok: false, reason: 'lease lost' } },
    { name: 'turns a thrown non-error into a failure', run: () => Promise.reject('plain string'), want: { ok: false, reason: 'plain string' } },
    { name: 'treats a malformed result as a failure', run: () => undefined as unknown as CheckResult, want: { ok: false, reason: 'check returned no result' } },
    { name: 'fills in an empty reason', run: () => ({ ok: false, reason: '' }), want: { ok: false, reason: 'failed' } },
  ];
  for (const c of cases) {
    it(c.name, async () => assert.deepEqual(await runCheck(check('x', c.run), 500), c.want));
  }

  it('fails a check that outlives its budget and aborts its signal', async () => {
    let seen: AbortSignal | undefined;
    const hanging = check('slow', (signal) => {
      seen = signal;
      return new Promise<CheckResult>(() => {});
    });
    const pending = runCheck(hanging, 500);
    mock.timers.tick(499);
    assert.equal(seen?.aborted, false);
    mock.timers.tick(1);
    assert.deepEqual(await pending, { ok: false, reason: 'timed out after 500ms' });
    assert.equal(seen?.aborted, true);
  });

  it('ignores a result that arrives after the timeout', async () => {
    let finish: (r: CheckResult) => void = () => {};
    const late = check('late', () => new Promise<CheckResult>((resolve) => (finish = resolve)));
    const pending = runCheck(late, 100);
    mock.timers.tick(100);
    finish({ ok: true });
    assert.deepEqual(await pending, { ok: false, reason: 'timed out after 100ms' });
  });
});
