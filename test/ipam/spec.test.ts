import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileSubnetSpec, formatIp, formatSubnetSpec } from '../../src/ipam/index.js';
import type { SubnetSpec } from '../../src/ipam/index.js';

function spec(cidrBlock: string, extra: Partial<SubnetSpec> = {}): SubnetSpec {
  return { name: 's1', cidrBlock, ...extra };
}

describe('subnet spec validation', () => {
  const refused: ReadonlyArray<[why: string, spec: SubnetSpec, reason: string, fragment: string]> = [
    ['a malformed CIDR', spec('10.16.0.0/33'), 'CIDRInvalid', '10.16.0.0/33'],
    ['an empty CIDR', spec(''), 'CIDRInvalid', 'not a valid CIDR'],
    ['a /32', spec('10.16.0.1/32'), 'CIDRInvalid', 'no usable address'],
    ['a /128', spec('fd00::1/128'), 'CIDRInvalid', 'no usable address'],
    ['two IPv4 CIDRs', spec('10.16.0.0/16,10.17.0.0/16'), 'CIDRInvalid', 'two IPv4'],
    ['three CIDRs', spec('10.16.0.0/16,fd00::/64,fd01::/64'), 'CIDRInvalid', 'one CIDR or'],
    ['a multicast CIDR', spec('224.1.0.0/16'), 'CIDRInvalid', '224.0.0.0/4'],
    ['a /0-ish CIDR', spec('0.0.0.0/1'), 'CIDRInvalid', 'overlaps the reserved range'],
    ['link-local IPv6', spec('fe80::/64'), 'CIDRInvalid', 'fe80::/10'],
    ['a gateway outside the CIDR', spec('10.16.0.0/16', { gateway: '10.17.0.1' }), 'GatewayInvalid', 'not in cidrBlock'],
    ['a gateway of the wrong family', spec('10.16.0.0/16', { gateway: 'fd00::1' }), 'GatewayInvalid', 'not in cidrBlock'],
    ['the network number as gateway', spec('10.16.0.0/16', { gateway: '10.16.0.0' }), 'GatewayInvalid', 'network number'],
    ['the broadcast address as gateway', spec('10.16.0.0/16', { gateway: '10.16.255.255' }), 'GatewayInvalid', 'broadcast'],
    ['a malformed gateway', spec('10.16.0.0/16', { gateway: '10.16.0.01' }), 'GatewayInvalid', 'not a valid IP'],
    ['a malformed exclude', spec('10.16.0.0/16', { excludeIps: ['10.16.0.x'] }), 'ExcludeIpsInvalid', '10.16.0.x'],
    ['an inverted exclude range', spec('10.16.0.0/16', { excludeIps: ['10.16.0.9..10.16.0.2'] }), 'ExcludeIpsInvalid', 'starts after'],
    ['a mixed-family exclude range', spec('10.16.0.0/16', { excludeIps: ['10.16.0.1..fd00::1'] }), 'ExcludeIpsInvalid', 'mixes'],
    ['a CIDR as exclude', spec('10.16.0.0/16', { excludeIps: ['10.16.0.0/24'] }), 'ExcludeIpsInvalid', '10.16.0.0/24'],
    ['a three-part exclude', spec('10.16.0.0/16', { excludeIps: ['10.16.0.1..10.16.0.2..10.16.0.3'] }), 'ExcludeIpsInvalid', 'not an IP'],
  ];
  for (const [why, s, reason, fragment] of refused) {
    it(`refuses ${why} with ${reason}`, () => {
      const r = compileSubnetSpec(s);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.reason, reason);
      assert.match(r.message, new RegExp(fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    });
  }

  it('defaults the gateway to the first address per family and normalises a reversed dual block', () => {
    const r = compileSubnetSpec(spec('fd00::/64,10.16.0.5/16'));
    assert.ok(r.ok);
    assert.equal(r.subnet.cidrBlock, '10.16.0.0/16,fd00::/64');
    assert.equal(r.subnet.gateway, '10.16.0.1,fd00::1');
    assert.equal(r.subnet.protocol, 'Dual');
  });

  it('fills the missing family of a dual gateway', () => {
    const r = compileSubnetSpec(spec('10.16.0.0/16,fd00::/64', { gateway: 'fd00::fe' }));
    assert.ok(r.ok);
    assert.equal(r.subnet.gateway, '10.16.0.1,fd00::fe');
  });

  it('accepts either address of a /31 as gateway and the all-ones IPv6 address', () => {
    assert.equal(compileSubnetSpec(spec('10.0.0.0/31', { gateway: '10.0.0.0' })).ok, true);
    assert.equal(compileSubnetSpec(spec('10.0.0.0/31', { gateway: '10.0.0.1' })).ok, true);
    assert.equal(compileSubnetSpec(spec('fd00::/64', { gateway: 'fd00::ffff:ffff:ffff:ffff' })).ok, true);
  });

  it('clips, merges and sorts excludes, ignores the other family, and always reserves the gateway', () => {
    const r = compileSubnetSpec(
      spec('10.16.0.0/24', { excludeIps: ['10.16.0.200..10.16.1.50', '10.16.0.10', '10.15.0.0..10.16.0.3', '10.16.0.5..10.16.0.9', 'fd00::1', '10.16.0.255'] }),
    );
    assert.ok(r.ok);
    const reserved = r.subnet.v4?.reserved.format((v) => formatIp(4, v));
    assert.equal(reserved, '10.16.0.1-10.16.0.3,10.16.0.5-10.16.0.10,10.16.0.200-10.16.0.254');
  });

  it('formats a spec the way Kube-OVN defaults it', () => {
    const r = formatSubnetSpec(spec('10.16.0.9/16', { excludeIps: ['10.16.0.20..10.16.0.30', '10.16.0.25..10.16.0.40', '10.16.0.2'] }));
    assert.deepEqual(r, { ok: true, cidrBlock: '10.16.0.0/16', gateway: '10.16.0.1', excludeIps: ['10.16.0.1', '10.16.0.2', '10.16.0.20..10.16.0.40'] });
    const covered = formatSubnetSpec(spec('10.16.0.0/16', { excludeIps: ['10.16.0.1..10.16.0.10'] }));
    assert.ok(covered.ok);
    assert.deepEqual(covered.excludeIps, ['10.16.0.1..10.16.0.10']);
  });
});
