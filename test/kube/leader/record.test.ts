import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideLease, formatMicroTime, MICRO_TIME_PATTERN, observe, parseMicroTime, releasedSpec } from '../../../src/kube/leader/index.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 123);

describe('MicroTime', () => {
  it('formats exactly six fractional digits (kubernetes-client/javascript issue #828)', () => {
    assert.equal(formatMicroTime(T0), '2026-01-02T03:04:05.123000Z');
    assert.equal(formatMicroTime(T0 + 0.456), '2026-01-02T03:04:05.123456Z');
    assert.equal(formatMicroTime(Date.UTC(2026, 0, 1)), '2026-01-01T00:00:00.000000Z');
    assert.match(formatMicroTime(T0), MICRO_TIME_PATTERN);
    assert.doesNotMatch(new Date(T0).toISOString(), MICRO_TIME_PATTERN);
  });

  it('parses six-digit and second-precision times back to ms', () => {
    assert.equal(parseMicroTime('2026-01-02T03:04:05.123456Z'), T0);
    assert.equal(parseMicroTime('2026-01-02T03:04:05Z'), T0 - 123);
    assert.ok(Number.isNaN(parseMicroTime(undefined)));
  });
});

describe('decideLease', () => {
  const lease = 30_000;
  it('takes an absent lease with zero transitions', () => {
    const d = decideLease(undefined, 'me', lease, T0);
    assert.deepEqual(d, { kind: 'write', spec: { holderIdentity: 'me', leaseDurationSeconds: 30, acquireTime: '2026-01-02T03:04:05.123000Z', renewTime: '2026-01-02T03:04:05.123000Z', leaseTransitions: 0 } });
  });

  it('waits while another holder is within leaseDuration of when we first saw its record (local clock)', () => {
    // The remote renewTime is an hour in the past (clock skew); only our observation time counts.
    const seen = observe(undefined, { holderIdentity: 'other', renewTime: '2026-01-02T02:00:00.000000Z', leaseTransitions: 4 }, T0);
    assert.deepEqual(decideLease(seen, 'me', lease, T0 + 29_999), { kind: 'held', holder: 'other', expiresAt: T0 + 30_000 });
    const takeover = decideLease(seen, 'me', lease, T0 + 30_001);
    assert.equal(takeover.kind, 'write');
    assert.equal(takeover.kind === 'write' && takeover.spec.leaseTransitions, 5);
  });

  it('restarts the expiry when the other holder renews', () => {
    const first = observe(undefined, { holderIdentity: 'other', renewTime: 'a' }, T0);
    const same = observe(first, { holderIdentity: 'other', renewTime: 'a' }, T0 + 10_000);
    assert.equal(same.observedAt, T0);
    const renewed = observe(same, { holderIdentity: 'other', renewTime: 'b' }, T0 + 20_000);
    assert.equal(decideLease(renewed, 'me', lease, T0 + 45_000).kind, 'held');
  });

  it('renews its own lease keeping acquireTime and transitions', () => {
    const seen = observe(undefined, { holderIdentity: 'me', acquireTime: 'then', leaseTransitions: 2 }, T0);
    const d = decideLease(seen, 'me', lease, T0 + 6000);
    assert.equal(d.kind === 'write' && d.spec.acquireTime, 'then');
    assert.equal(d.kind === 'write' && d.spec.leaseTransitions, 2);
  });

  it('takes a released lease (empty holder) at once, counting a transition', () => {
    const seen = observe(undefined, { holderIdentity: '', leaseTransitions: 3 }, T0);
    const d = decideLease(seen, 'me', lease, T0);
    assert.equal(d.kind, 'write');
    assert.equal(d.kind === 'write' && d.spec.leaseTransitions, 4);
  });

  it('releases with an empty holder and the same transitions', () => {
    const seen = observe(undefined, { holderIdentity: 'me', leaseTransitions: 7 }, T0);
    assert.deepEqual(releasedSpec(seen, T0), { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: '2026-01-02T03:04:05.123000Z', renewTime: '2026-01-02T03:04:05.123000Z', leaseTransitions: 7 });
  });
});
