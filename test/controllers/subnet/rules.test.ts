import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createIpam } from '../../../src/ipam/index.js';
import {
  defaultingPatch,
  healthyConditions,
  invalidConditions,
  nextConditions,
  overlapBlockers,
  statusPatch,
  subnetChanged,
  usageStatus,
} from '../../../src/controllers/subnet/rules.js';
import type { OverlapPeer } from '../../../src/controllers/subnet/rules.js';

const T0 = Date.parse('2026-01-02T03:04:05Z');

describe('subnet defaulting', () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown> | undefined]> = [
    ['fills gateway, excludeIps, protocol and provider', { cidrBlock: '10.16.0.0/16' }, { provider: 'ovn', gateway: '10.16.0.1', excludeIps: ['10.16.0.1'], protocol: 'IPv4' }],
    ['masks host bits of the CIDR', { cidrBlock: '10.16.0.9/16', gateway: '10.16.0.1', excludeIps: ['10.16.0.1'], protocol: 'IPv4', provider: 'ovn' }, { cidrBlock: '10.16.0.0/16' }],
    ['normalises dual stack to v4 first and derives Dual', { cidrBlock: 'fd00::/64,10.1.0.0/24', provider: 'ovn' }, { cidrBlock: '10.1.0.0/24,fd00::/64', gateway: '10.1.0.1,fd00::1', excludeIps: ['10.1.0.1', 'fd00::1'], protocol: 'Dual' }],
    ['keeps a custom gateway and adds it to excludeIps', { cidrBlock: '10.2.0.0/24', gateway: '10.2.0.254', provider: 'x' }, { excludeIps: ['10.2.0.254'], protocol: 'IPv4' }],
    ['changes nothing on an already defaulted spec', { cidrBlock: '10.16.0.0/16', gateway: '10.16.0.1', excludeIps: ['10.16.0.1'], protocol: 'IPv4', provider: 'ovn' }, undefined],
    ['only defaults the provider of an invalid spec', { cidrBlock: 'garbage' }, { provider: 'ovn' }],
  ];
  for (const [name, spec, want] of cases) it(name, () => assert.deepEqual(defaultingPatch('s', spec), want));
});

describe('overlap decisions', () => {
  const peer = (name: string, cidrBlock: string, createdAt: string, accepted = false): OverlapPeer => ({ name, cidrBlock, createdAt, accepted });
  const cases: Array<[string, OverlapPeer, OverlapPeer[], string[]]> = [
    ['an older overlapping subnet blocks a newer one', peer('new', '10.0.0.0/24', '2026-01-02T00:00:00Z'), [peer('old', '10.0.0.0/16', '2026-01-01T00:00:00Z')], ['old']],
    ['a newer overlapping subnet does not block an older one', peer('old', '10.0.0.0/16', '2026-01-01T00:00:00Z'), [peer('new', '10.0.0.0/24', '2026-01-02T00:00:00Z')], []],
    ['the name breaks a creationTimestamp tie', peer('b', '10.0.0.0/24', '2026-01-01T00:00:00Z'), [peer('a', '10.0.0.0/24', '2026-01-01T00:00:00Z')], ['a']],
    ['a served subnet always wins, whatever its age', peer('old', '10.0.0.0/16', '2026-01-01T00:00:00Z'), [peer('served', '10.0.1.0/24', '2026-01-03T00:00:00Z', true)], ['served']],
    ['a served subnet is not blocked by an older unserved one', peer('served', '10.0.1.0/24', '2026-01-03T00:00:00Z', true), [peer('old', '10.0.0.0/16', '2026-01-01T00:00:00Z')], []],
    ['disjoint and other-family subnets never block', peer('x', '10.0.0.0/24,fd00::/64', '2026-01-02T00:00:00Z'), [peer('y', '10.0.1.0/24', '2026-01-01T00:00:00Z'), peer('z', 'fd01::/64', '2026-01-01T00:00:00Z')], []],
    ['the IPv6 half of a dual stack subnet can overlap', peer('x', '10.0.0.0/24,fd00::/64', '2026-01-02T00:00:00Z'), [peer('v6', 'fd00::/48', '2026-01-01T00:00:00Z')], ['v6']],
  ];
  for (const [name, self, peers, want] of cases) it(name, () => assert.deepEqual(overlapBlockers(self, peers), want));
});

describe('conditions', () => {
  it('sets Validated, Ready and Error with observedGeneration and timestamps', () => {
    const c = nextConditions(undefined, invalidConditions('CIDRInvalid', 'cidrBlock: bad'), 3, T0);
    assert.deepEqual(c.map((x) => [x.type, x.status, x.reason, x.observedGeneration, x.lastTransitionTime]), [
      ['Error', 'True', 'CIDRInvalid', 3, '2026-01-02T03:04:05Z'],
      ['Ready', 'False', 'CIDRInvalid', 3, '2026-01-02T03:04:05Z'],
      ['Validated', 'False', 'CIDRInvalid', 3, '2026-01-02T03:04:05Z'],
    ]);
  });

  it('keeps unchanged conditions as they were and moves lastTransitionTime only on a flip', () => {
    const first = nextConditions(undefined, healthyConditions(), 1, T0);
    assert.equal(nextConditions(first, healthyConditions(), 1, T0 + 60_000).every((c, i) => c === first[i]), true);
    const regen = nextConditions(first, healthyConditions(), 2, T0 + 60_000);
    assert.equal(regen.find((c) => c.type === 'Ready')?.lastTransitionTime, '2026-01-02T03:04:05Z');
    assert.equal(regen.find((c) => c.type === 'Ready')?.lastUpdateTime, '2026-01-02T03:05:05Z');
    const flipped = nextConditions(first, invalidConditions('CIDROverlap', 'x'), 2, T0 + 60_000);
    assert.equal(flipped.find((c) => c.type === 'Ready')?.lastTransitionTime, '2026-01-02T03:05:05Z');
  });

  it('leaves condition types it does not own', () => {
    const other = { type: 'Custom', status: 'True' as const, reason: 'r', message: '' };
    assert.ok(nextConditions([other], healthyConditions(), 1, T0).includes(other));
  });
});

describe('status fields', () => {
  it('computes Kube-OVN status fields from IPAM usage', () => {
    const ipam = createIpam();
    ipam.upsertSubnet({ name: 's', cidrBlock: '10.0.0.0/29' });
    ipam.allocate('ns/a', 's');
    ipam.allocate('ns/b', 's');
    assert.deepEqual(usageStatus(ipam.usage('s')!), {
      v4availableIPs: 3,
      v4usingIPs: 2,
      v4availableIPrange: '10.0.0.4-10.0.0.6',
      v4usingIPrange: '10.0.0.2-10.0.0.3',
      v6availableIPs: 0,
      v6usingIPs: 0,
      v6availableIPrange: '',
      v6usingIPrange: '',
    });
  });

  it('patches only the fields that changed, and nothing when equal', () => {
    assert.deepEqual(statusPatch({ a: 1, b: 'x' }, { a: 1, b: 'y' }), { b: 'y' });
    assert.equal(statusPatch({ a: 1, conditions: [] }, { a: 1, conditions: [] }), undefined);
  });
});

describe('subnet updates worth a reconcile', () => {
  const base = { metadata: { name: 's', generation: 1, resourceVersion: '5', finalizers: ['f'] }, spec: { cidrBlock: '10.0.0.0/24' }, status: { v4usingIPs: 1 } };
  it('skips a status-only update (the echo of our own status write)', () => {
    assert.equal(subnetChanged(base, { ...base, metadata: { ...base.metadata, resourceVersion: '6' }, status: { v4usingIPs: 2 } }), false);
  });
  const changes: Array<[string, object]> = [
    ['spec', { spec: { cidrBlock: '10.0.1.0/24' } }],
    ['generation', { metadata: { ...base.metadata, generation: 2 } }],
    ['deletion', { metadata: { ...base.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }],
    ['finalizers', { metadata: { ...base.metadata, finalizers: [] } }],
    ['labels', { metadata: { ...base.metadata, labels: { a: 'b' } } }],
  ];
  for (const [what, change] of changes) it(`reconciles a change of ${what}`, () => assert.equal(subnetChanged(base, { ...base, ...change }), true));
});
