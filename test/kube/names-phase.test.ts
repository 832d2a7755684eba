// Issue 10: object limits checked before writing, and a bounded leader phase for liveness.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelValueProblem, objectNameProblem } from '../../src/kube/index.js';
import { createPhase, reconcileProgressCheck } from '../../src/kube/controller/index.js';

describe('object limits', () => {
  it('names the 253-character limit of an object name', () => {
    assert.equal(objectNameProblem(`${'a'.repeat(250)}.default`)?.includes('the limit is 253'), true);
    assert.equal(objectNameProblem('web-0.default'), undefined);
    assert.match(objectNameProblem('Web_0.default') ?? '', /DNS-1123/);
  });

  it('names the 63-character limit of a label value', () => {
    assert.match(labelValueProblem('s'.repeat(64)) ?? '', /64 characters; the limit is 63/);
    assert.equal(labelValueProblem('ovn-default'), undefined);
    assert.equal(labelValueProblem(''), undefined);
    assert.match(labelValueProblem('-x') ?? '', /alphanumeric/);
  });
});

describe('a bounded leader phase', () => {
  it('fails reconcile-progress when the phase runs past the bound, and passes once it finished', () => {
    const rebuild = createPhase('ipam-rebuild');
    let now = 1_000;
    const check = reconcileProgressCheck({ controllers: [rebuild], stallMs: 60_000, now: () => now });
    assert.deepEqual(check.run(), { ok: true }, 'idle before start');
    rebuild.start(now);
    now += 60_000;
    assert.deepEqual(check.run(), { ok: true }, 'within the bound');
    now += 1;
    const failed = check.run();
    assert.equal(failed.ok, false);
    assert.match(failed.ok ? '' : failed.reason, /controller "ipam-rebuild": work pending/);
    rebuild.finish(now);
    assert.deepEqual(check.run(), { ok: true });
  });
});
