import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createIpam } from '../../src/ipam/index.js';
import type { AllocateResult, Allocation, Ipam, RandomFill, SubnetSpec, UpsertSubnetResult } from '../../src/ipam/index.js';

function setup(specs: readonly SubnetSpec[] = [{ name: 'net', cidrBlock: '10.0.0.0/29' }], random?: RandomFill): Ipam {
  const ipam = createIpam(random === undefined ? {} : { random });
  for (const s of specs) {
    const r = ipam.upsertSubnet(s);
    assert.ok(r.ok, `test subnet ${s.name} is valid`);
  }
  return ipam;
}

function ok(r: AllocateResult): Allocation {
  assert.ok(r.ok, r.ok ? '' : `${r.reason}: ${r.message}`);
  return r;
}

function upserted(r: UpsertSubnetResult): void {
  assert.ok(r.ok, r.ok ? '' : `${r.reason}: ${r.message}`);
}

function ips(ipam: Ipam, keys: readonly string[], subnet = 'net'): string[] {
  return keys.map((k) => ok(ipam.allocate(k, subnet)).ip);
}

describe('IPAM allocation order', () => {
  it('hands out the lowest free address, skipping the gateway', () => {
    const ipam = setup();
    assert.deepEqual(ips(ipam, ['a', 'b', 'c']), ['10.0.0.2', '10.0.0.3', '10.0.0.4']);
  });

  it('reuses released addresses only after the free range is exhausted, lowest first', () => {
    const ipam = setup(); // usable .2-.6
    ips(ipam, ['a', 'b', 'c']);
    ipam.release('c');
    ipam.release('a');
    assert.deepEqual(ips(ipam, ['d', 'e']), ['10.0.0.5', '10.0.0.6']);
    ipam.release('d'); // released during the reuse generation: goes behind .2 and .4
    assert.deepEqual(ips(ipam, ['f', 'g', 'h']), ['10.0.0.2', '10.0.0.4', '10.0.0.5']);
  });

  it('reports NoAvailableAddress when exhausted and resumes after a release', () => {
    const ipam = setup();
    ips(ipam, ['a', 'b', 'c', 'd', 'e']);
    assert.equal(ipam.hasFree('net'), false);
    assert.equal(ipam.hasFree('nope'), false);
    const full = ipam.allocate('f', 'net');
    assert.equal(full.ok, false);
    assert.equal(!full.ok && full.reason, 'NoAvailableAddress');
    assert.equal(ipam.release('c', 'net'), 1);
    assert.equal(ipam.hasFree('net'), true);
    assert.equal(ok(ipam.allocate('f', 'net')).ip, '10.0.0.4');
  });

  it('returns the same allocation for a key that already has one', () => {
    const ipam = setup();
    const first = ok(ipam.allocate('ns/pod', 'net'));
    const again = ok(ipam.allocate('ns/pod', 'net'));
    assert.equal(again, first);
    assert.equal(ok(ipam.allocate('ns/pod', 'net', { ip: first.ip, mac: first.mac })), first);
    assert.equal(ipam.stats('net')?.allocations, 1);
    assert.deepEqual({ ...first }, { ok: true, key: 'ns/pod', subnet: 'net', v4: '10.0.0.2', v6: undefined, ip: '10.0.0.2', mac: first.mac, cidr: '10.0.0.0/29', gateway: '10.0.0.1' });
  });

  it('never hands out excluded addresses dynamically, whatever the order or overlap of excludes', () => {
    const ipam = setup([{ name: 'net', cidrBlock: '10.0.0.0/28', excludeIps: ['10.0.0.9..10.0.0.20', '10.0.0.3', '10.0.0.4..10.0.0.5', '10.0.0.5..10.0.0.6', '192.168.0.1'] }]);
    const got: string[] = [];
    for (let i = 0; ; i++) {
      const r = ipam.allocate(`k${i}`, 'net');
      if (!r.ok) break;
      got.push(r.ip);
    }
    assert.deepEqual(got, ['10.0.0.2', '10.0.0.7', '10.0.0.8']);
  });

  it('uses both addresses of a /31 and /127 except the gateway', () => {
    const ipam = setup([
      { name: 'p4', cidrBlock: '10.0.0.0/31' },
      { name: 'p6', cidrBlock: 'fd00::/127', gateway: 'fd00::1' },
    ]);
    assert.deepEqual(ips(ipam, ['a'], 'p4'), ['10.0.0.1']);
    assert.equal(ipam.allocate('b', 'p4').ok, false);
    assert.deepEqual(ips(ipam, ['a'], 'p6'), ['fd00::']);
    assert.equal(ipam.allocate('b', 'p6').ok, false);
  });

  it('continues across IPv4 first-octet and IPv6 32-bit boundaries', () => {
    const ipam = setup([
      { name: 'v4', cidrBlock: '10.0.0.0/7', excludeIps: ['10.0.0.2..10.255.255.253'] },
      { name: 'v6', cidrBlock: 'fd00::/64', excludeIps: ['fd00::2..fd00::ffff:fffd'] },
    ]);
    assert.deepEqual(ips(ipam, ['a', 'b', 'c', 'd'], 'v4'), ['10.255.255.254', '10.255.255.255', '11.0.0.0', '11.0.0.1']);
    assert.deepEqual(ips(ipam, ['a', 'b', 'c', 'd'], 'v6'), ['fd00::ffff:fffe', 'fd00::ffff:ffff', 'fd00::1:0:0', 'fd00::1:0:1']);
  });

  it('interleaves dynamic and static requests without handing out an address twice', () => {
    const ipam = setup();
    assert.deepEqual(ips(ipam, ['a']), ['10.0.0.2']);
    ok(ipam.allocate('s', 'net', { ip: '10.0.0.4' }));
    assert.equal(ipam.usage('net')?.v4.usingIPrange, '10.0.0.2,10.0.0.4');
    assert.deepEqual(ips(ipam, ['b', 'c', 'd']), ['10.0.0.3', '10.0.0.5', '10.0.0.6']);
  });

  it('fails with SubnetNotFound for an unknown subnet', () => {
    const r = setup().allocate('a', 'nope');
    assert.equal(!r.ok && r.reason, 'SubnetNotFound');
  });
});

describe('IPAM static addresses', () => {
  const failures: ReadonlyArray<[why: string, ip: string, reason: string]> = [
    ['outside the CIDR', '10.0.1.2', 'AddressOutOfRange'],
    ['the network number', '10.0.0.0', 'AddressOutOfRange'],
    ['the broadcast address', '10.0.0.7', 'AddressOutOfRange'],
    ['of a family the subnet lacks', 'fd00::2', 'AddressOutOfRange'],
    ['the gateway', '10.0.0.1', 'AddressConflict'],
    ['held by another key', '10.0.0.2', 'AddressConflict'],
    ['not an address', '10.0.0.02', 'InvalidAddress'],
    ['two of one family', '10.0.0.3,10.0.0.4', 'InvalidAddress'],
  ];
  for (const [why, ip, reason] of failures) {
    it(`refuses a static IP ${why} with ${reason}`, () => {
      const ipam = setup();
      ok(ipam.allocate('holder', 'net'));
      const r = ipam.allocate('k', 'net', { ip });
      assert.equal(!r.ok && r.reason, reason);
      assert.equal(ipam.get('k'), undefined);
    });
  }

  it('names the holder of a conflicting address', () => {
    const ipam = setup();
    ok(ipam.allocate('ns/holder', 'net'));
    const r = ipam.allocate('k', 'net', { ip: '10.0.0.2' });
    assert.equal(!r.ok && r.holder, 'ns/holder');
    assert.match(!r.ok ? r.message : '', /10\.0\.0\.2 is already used by ns\/holder/);
  });

  it('gives an excluded address to a static request once, and back on release', () => {
    const ipam = setup([{ name: 'net', cidrBlock: '10.0.0.0/29', excludeIps: ['10.0.0.5'] }]);
    assert.equal(ok(ipam.allocate('a', 'net', { ip: '10.0.0.5' })).ip, '10.0.0.5');
    const r = ipam.allocate('b', 'net', { ip: '10.0.0.5' });
    assert.equal(!r.ok && r.holder, 'a');
    ipam.release('a');
    assert.equal(ok(ipam.allocate('b', 'net', { ip: '10.0.0.5' })).ip, '10.0.0.5');
  });

  it('moves a key to a new static address and frees the old one', () => {
    const ipam = setup();
    assert.equal(ok(ipam.allocate('a', 'net')).ip, '10.0.0.2');
    assert.equal(ok(ipam.allocate('a', 'net', { ip: '10.0.0.6' })).ip, '10.0.0.6');
    assert.equal(ipam.usage('net')?.v4.usingIPrange, '10.0.0.6');
    assert.equal(ok(ipam.allocate('b', 'net', { ip: '10.0.0.2' })).ip, '10.0.0.2');
  });

  it('dynamic allocation skips an address taken statically', () => {
    const ipam = setup();
    ok(ipam.allocate('s', 'net', { ip: '10.0.0.3' }));
    assert.deepEqual(ips(ipam, ['a', 'b']), ['10.0.0.2', '10.0.0.4']);
  });

  it('accepts a static MAC in any notation and refuses it for a second key', () => {
    const ipam = setup();
    assert.equal(ok(ipam.allocate('a', 'net', { mac: '0A-58-0A-00-00-02' })).mac, '0a:58:0a:00:00:02');
    const r = ipam.allocate('b', 'net', { mac: '0a:58:0a:00:00:02' });
    assert.equal(!r.ok && r.reason, 'AddressConflict');
    assert.equal(!r.ok && r.holder, 'a');
    assert.equal(ipam.usage('net')?.v4.usingIPs, 1n, 'the refused request leaked no address');
  });

  for (const bad of ['0a:58:0a:00:00', '01:00:5e:00:00:01', 'not-a-mac']) {
    it(`refuses the invalid static MAC \`${bad}\``, () => {
      const r = setup().allocate('a', 'net', { mac: bad });
      assert.equal(!r.ok && r.reason, 'InvalidAddress');
    });
  }
});

describe('IPAM MACs', () => {
  const constant: RandomFill = (bytes) => bytes.fill(7);
  /** The MACs an IPAM with the constant random source generates first in subnet `net`. */
  function upcomingMacs(n: number): string[] {
    const twin = setup([{ name: 'net', cidrBlock: '10.0.0.0/24' }], constant);
    return Array.from({ length: n }, (_, i) => ok(twin.allocate(`twin${i}`, 'net')).mac);
  }

  it('keeps MACs unique per subnet whatever the random source, a constant one included', () => {
    const ipam = setup([{ name: 'net', cidrBlock: '10.0.0.0/16' }], constant);
    const macs = Array.from({ length: 3000 }, (_, i) => ok(ipam.allocate(`k${i}`, 'net')).mac);
    assert.equal(new Set(macs).size, 3000);
    for (const mac of macs) assert.equal(parseInt(mac.slice(0, 2), 16) & 3, 2, `${mac} is locally administered unicast`);
  });

  it('skips a generated MAC that a restored allocation holds', () => {
    const [first, second] = upcomingMacs(2);
    const ipam = setup([{ name: 'net', cidrBlock: '10.0.0.0/24' }], constant);
    ok(ipam.restore('old', 'net', { v4: '10.0.0.9', mac: first }));
    assert.equal(ok(ipam.allocate('new', 'net')).mac, second);
  });

  it('fails without leaking addresses when no unique MAC can be found', () => {
    const [first, second] = upcomingMacs(2);
    const ipam = createIpam({ random: constant, macAttempts: 1 });
    upserted(ipam.upsertSubnet({ name: 'net', cidrBlock: '10.0.0.0/24,fd00::/64' }));
    ok(ipam.restore('old', 'net', { v4: '10.0.0.9', v6: 'fd00::9', mac: first }));
    const r = ipam.allocate('b', 'net');
    assert.equal(!r.ok && r.reason, 'NoAvailableAddress');
    assert.match(!r.ok ? r.message : '', /no unique MAC after 1 tries/);
    const u = ipam.usage('net');
    assert.equal(u?.v4.usingIPs, 1n);
    assert.equal(u?.v6.usingIPs, 1n);
    assert.equal(ok(ipam.allocate('b', 'net')).mac, second, 'the next try moves on');
  });

  it('gives a released generated MAC to a static request, and refuses it while held', () => {
    const ipam = setup([{ name: 'net', cidrBlock: '10.0.0.0/24' }]);
    const a = ok(ipam.allocate('a', 'net'));
    const held = ipam.allocate('b', 'net', { mac: a.mac });
    assert.deepEqual([!held.ok && held.reason, !held.ok && held.holder], ['AddressConflict', 'a']);
    ipam.release('a');
    assert.equal(ok(ipam.allocate('b', 'net', { mac: a.mac })).mac, a.mac);
    assert.equal(ipam.stats('net')?.macs, 1);
  });

  it('keeps every MAC held through a spec change', () => {
    const ipam = setup([{ name: 'net', cidrBlock: '10.0.0.0/24' }]);
    const macs = Array.from({ length: 20 }, (_, i) => ok(ipam.allocate(`k${i}`, 'net')).mac);
    upserted(ipam.upsertSubnet({ name: 'net', cidrBlock: '10.0.0.0/24', excludeIps: ['10.0.0.200'] }));
    const r = ipam.allocate('other', 'net', { mac: macs[5] });
    assert.deepEqual([!r.ok && r.reason, !r.ok && r.holder], ['AddressConflict', 'k5']);
    const more = Array.from({ length: 20 }, (_, i) => ok(ipam.allocate(`m${i}`, 'net')).mac);
    assert.equal(new Set([...macs, ...more]).size, 40);
    assert.equal(ipam.stats('net')?.macs, 40);
  });
});

describe('IPAM dual stack', () => {
  it('gives one address of each family in one allocation', () => {
    const ipam = setup([{ name: 'dual', cidrBlock: '10.16.0.0/16,fd00::/64' }]);
    const a = ok(ipam.allocate('a', 'dual'));
    assert.deepEqual([a.v4, a.v6, a.ip, a.cidr, a.gateway], ['10.16.0.2', 'fd00::2', '10.16.0.2,fd00::2', '10.16.0.0/16,fd00::/64', '10.16.0.1,fd00::1']);
  });

  it('fails the whole allocation when one family is exhausted, leaking neither', () => {
    const ipam = setup([{ name: 'dual', cidrBlock: '10.16.0.0/24,fd00::/126' }]); // v6 usable ::1-::2, ::1 gateway
    ok(ipam.allocate('a', 'dual'));
    const before = ipam.usage('dual');
    const r = ipam.allocate('b', 'dual');
    assert.equal(!r.ok && r.reason, 'NoAvailableAddress');
    assert.match(!r.ok ? r.message : '', /IPv6/);
    assert.deepEqual(ipam.usage('dual'), before);
    ipam.release('a');
    assert.equal(ok(ipam.allocate('b', 'dual')).ip, '10.16.0.3,fd00::2');
  });

  it('completes a static single-family request with a dynamic address of the other family', () => {
    const ipam = setup([{ name: 'dual', cidrBlock: '10.16.0.0/16,fd00::/64' }]);
    assert.equal(ok(ipam.allocate('a', 'dual', { ip: 'fd00::99' })).ip, '10.16.0.2,fd00::99');
    assert.equal(ok(ipam.allocate('b', 'dual', { ip: '10.16.0.50,fd00::50' })).ip, '10.16.0.50,fd00::50');
  });

  it('refuses a static address whose family is missing from a single-stack subnet', () => {
    const r = setup().allocate('a', 'net', { ip: '10.0.0.3,fd00::3' });
    assert.equal(!r.ok && r.reason, 'AddressOutOfRange');
  });
});

describe('IPAM restore', () => {
  it('never hands a restored address to a new key', () => {
    const ipam = setup();
    ok(ipam.restore('old1', 'net', { v4: '10.0.0.4', mac: '0a:00:00:00:00:04' }));
    ok(ipam.restore('old2', 'net', { v4: '10.0.0.2', mac: '0a:00:00:00:00:02' }));
    assert.deepEqual(ips(ipam, ['n1', 'n2', 'n3']), ['10.0.0.3', '10.0.0.5', '10.0.0.6']);
    assert.equal(ipam.allocate('n4', 'net').ok, false);
  });

  it('reports a conflicting restore as a value naming the holder', () => {
    const ipam = setup();
    ok(ipam.restore('a', 'net', { v4: '10.0.0.3', mac: '0a:00:00:00:00:03' }));
    const ip = ipam.restore('b', 'net', { v4: '10.0.0.3', mac: '0a:00:00:00:00:09' });
    assert.deepEqual([!ip.ok && ip.reason, !ip.ok && ip.holder], ['AddressConflict', 'a']);
    const mac = ipam.restore('b', 'net', { v4: '10.0.0.4', mac: '0a:00:00:00:00:03' });
    assert.deepEqual([!mac.ok && mac.reason, !mac.ok && mac.holder], ['AddressConflict', 'a']);
    assert.equal(ipam.get('b'), undefined);
  });

  it('is idempotent and restores excluded addresses, refusing out-of-range ones', () => {
    const ipam = setup([{ name: 'net', cidrBlock: '10.0.0.0/29', excludeIps: ['10.0.0.6'] }]);
    const a = ok(ipam.restore('a', 'net', { v4: '10.0.0.6', mac: '0a:00:00:00:00:06' }));
    assert.equal(ipam.restore('a', 'net', { v4: '10.0.0.6', mac: '0a:00:00:00:00:06' }), a);
    const r = ipam.restore('b', 'net', { v4: '10.0.1.1' });
    assert.equal(!r.ok && r.reason, 'AddressOutOfRange');
  });

  it('generates a MAC when the restored record has none', () => {
    const ipam = setup();
    assert.match(ok(ipam.restore('a', 'net', { v4: '10.0.0.5' })).mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  });
});

describe('IPAM usage', () => {
  it('reports Kube-OVN status strings and counts, excluding reserved addresses from both', () => {
    const ipam = setup([{ name: 'net', cidrBlock: '10.16.0.0/28', excludeIps: ['10.16.0.1', '10.16.0.6..10.16.0.8'] }]);
    ips(ipam, ['a', 'b', 'c', 'd', 'e']); // .2 .3 .4 .5 .9
    ok(ipam.allocate('s', 'net', { ip: '10.16.0.7' })); // static in an excluded range: not counted
    ipam.release('b');
    assert.deepEqual(ipam.usage('net'), {
      v4: { availableIPs: 6n, usingIPs: 4n, availableIPrange: '10.16.0.3,10.16.0.10-10.16.0.14', usingIPrange: '10.16.0.2,10.16.0.4-10.16.0.5,10.16.0.9' },
      v6: { availableIPs: 0n, usingIPs: 0n, availableIPrange: '', usingIPrange: '' },
    });
  });

  it('counts a /64 exactly as bigint', () => {
    const ipam = setup([{ name: 'dual', cidrBlock: '10.16.0.0/16,fd00::/64', excludeIps: ['fd00::10..fd00::1f'] }]);
    ips(ipam, ['a', 'b'], 'dual');
    const u = ipam.usage('dual');
    assert.equal(u?.v6.availableIPs, 2n ** 64n - 2n - 1n - 16n - 2n);
    assert.equal(u?.v6.usingIPs, 2n);
    assert.equal(u?.v6.availableIPrange, 'fd00::4-fd00::f,fd00::20-fd00::ffff:ffff:ffff:fffe');
    assert.equal(u?.v4.availableIPs, 65534n - 1n - 2n);
    assert.equal(ipam.usage('nope'), undefined);
  });
});

describe('IPAM memory', () => {
  it('keeps the same structure for a /8, a /64 and a /3 however many addresses they hold', () => {
    const ipam = setup([
      { name: 'v4', cidrBlock: '10.0.0.0/8' },
      { name: 'v6', cidrBlock: 'fd00::/64' },
      { name: 'huge', cidrBlock: '2000::/3' },
    ]);
    for (const name of ['v4', 'v6', 'huge']) {
      for (let i = 0; i < 1000; i++) ok(ipam.allocate(`k${i}`, name));
      const s = ipam.stats(name);
      const f = s?.v4 ?? s?.v6;
      assert.deepEqual(f, { freeRanges: 1, releasedRanges: 0, reservedRanges: 1, reservedHeld: 0 });
      assert.equal(s?.allocations, 1000);
    }
    assert.equal(ipam.usage('huge')?.v6.availableIPs, 2n ** 125n - 2n - 1n - 1000n);
  });
});

describe('IPAM subnets', () => {
  it('reports whether an upsert changed anything', () => {
    const ipam = setup();
    const same = ipam.upsertSubnet({ name: 'net', cidrBlock: '10.0.0.0/29', gateway: '10.0.0.1' });
    assert.deepEqual(same.ok && same.changed, false);
    const grown = ipam.upsertSubnet({ name: 'net', cidrBlock: '10.0.0.0/28' });
    assert.deepEqual(grown.ok && grown.changed, true);
  });

  it('keeps allocations when a subnet grows and never reissues them', () => {
    const ipam = setup();
    const a = ok(ipam.allocate('a', 'net'));
    ips(ipam, ['b', 'c']);
    ipam.release('c');
    upserted(ipam.upsertSubnet({ name: 'net', cidrBlock: '10.0.0.0/28' }));
    const kept = ipam.get('a', 'net');
    assert.deepEqual([kept?.ip, kept?.mac, kept?.cidr], [a.ip, a.mac, '10.0.0.0/28']);
    assert.deepEqual(ips(ipam, ['d', 'e']), ['10.0.0.5', '10.0.0.6']);
  });

  it('refuses a CIDR or gateway change that would strand an address in use', () => {
    const ipam = setup();
    ips(ipam, ['a', 'b', 'c', 'd', 'e']); // .2-.6
    const shrink = ipam.upsertSubnet({ name: 'net', cidrBlock: '10.0.0.0/30' });
    assert.equal(!shrink.ok && shrink.reason, 'AddressesInUse');
    assert.match(!shrink.ok ? shrink.message : '', /10\.0\.0\.3 of b/);
    const gw = ipam.upsertSubnet({ name: 'net', cidrBlock: '10.0.0.0/29', gateway: '10.0.0.4' });
    assert.equal(!gw.ok && gw.reason, 'AddressesInUse');
    const family = ipam.upsertSubnet({ name: 'net', cidrBlock: 'fd00::/64' });
    assert.equal(!family.ok && family.reason, 'AddressesInUse');
    assert.equal(ipam.subnet('net')?.cidrBlock, '10.0.0.0/29');
    assert.equal(ok(ipam.allocate('a', 'net')).ip, '10.0.0.2');
  });

  it('allows excluding an address in use, which stays with its holder', () => {
    const ipam = setup();
    ips(ipam, ['a', 'b']);
    upserted(ipam.upsertSubnet({ name: 'net', cidrBlock: '10.0.0.0/29', excludeIps: ['10.0.0.3..10.0.0.4'] }));
    const r = ipam.allocate('x', 'net', { ip: '10.0.0.3' });
    assert.equal(!r.ok && r.holder, 'b');
    assert.deepEqual(ips(ipam, ['c']), ['10.0.0.5']);
  });

  it('adds the missing family to existing keys when a subnet becomes dual stack', () => {
    const ipam = setup();
    ok(ipam.allocate('a', 'net'));
    upserted(ipam.upsertSubnet({ name: 'net', cidrBlock: '10.0.0.0/29,fd00::/64' }));
    assert.equal(ok(ipam.allocate('a', 'net')).ip, '10.0.0.2,fd00::2');
  });

  it('finds the subnet of an address, overlapping subnets, and releases a key everywhere', () => {
    const ipam = setup([
      { name: 'a', cidrBlock: '10.0.0.0/24' },
      { name: 'b', cidrBlock: '10.1.0.0/24,fd00::/64' },
    ]);
    assert.equal(ipam.subnetOf('10.1.0.9'), 'b');
    assert.equal(ipam.subnetOf('fd00::9'), 'b');
    assert.equal(ipam.subnetOf('10.2.0.1'), undefined);
    assert.deepEqual(ipam.overlaps('10.0.0.0/8'), ['a', 'b']);
    assert.deepEqual(ipam.overlaps('fd00::/48', 'b'), []);
    ok(ipam.allocate('k', 'a'));
    ok(ipam.allocate('k', 'b'));
    assert.equal(ipam.release('k'), 2);
    assert.equal(ipam.get('k'), undefined);
    assert.equal(ipam.deleteSubnet('a'), true);
    assert.deepEqual(ipam.subnets().map((s) => s.name), ['b']);
  });
});

describe('IPAM invariants', () => {
  it('never gives one address or MAC to two live keys under random allocate, static, restore and release', () => {
    const ipam = setup([{ name: 'net', cidrBlock: '10.0.0.0/27,fd00::/123', excludeIps: ['10.0.0.10..10.0.0.12', 'fd00::5'] }]);
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const live = new Set<string>();
    const seenMacs: string[] = []; // static MACs and restores reuse them: generated, freed, claimed again
    for (let step = 0; step < 4000; step++) {
      const key = `k${rand(40)}`;
      const op = rand(11);
      const seenMac = seenMacs[rand(seenMacs.length + 1)];
      let r: AllocateResult | undefined;
      if (op < 4) r = ipam.allocate(key, 'net');
      else if (op < 6) r = ipam.allocate(key, 'net', { ip: `10.0.0.${rand(32)}` });
      else if (op < 7) r = ipam.restore(key, 'net', { v4: `10.0.0.${rand(32)}`, v6: `fd00::${rand(32).toString(16)}`, ...(seenMac === undefined ? {} : { mac: seenMac }) });
      else if (op < 8 && seenMac !== undefined) r = ipam.allocate(key, 'net', { mac: seenMac });
      else ipam.release(key);
      if (r?.ok === true) seenMacs.push(r.mac);
      live.add(key);
      const holders = new Map<string, string>();
      let using = 0n;
      for (const k of live) {
        const a = ipam.get(k, 'net');
        if (a === undefined) continue;
        for (const addr of [a.v4, a.v6, a.mac]) {
          if (addr === undefined) continue;
          assert.equal(holders.get(addr), undefined, `step ${step}: ${addr} held by ${holders.get(addr)} and ${k}`);
          holders.set(addr, k);
        }
        if (a.v4 !== undefined && !['10.0.0.10', '10.0.0.11', '10.0.0.12'].includes(a.v4)) using++;
      }
      if (step % 100 === 0) {
        const u = ipam.usage('net');
        assert.equal(u?.v4.usingIPs, using, `step ${step}: usingIPs matches the live allocations`);
        assert.equal((u?.v4.usingIPs ?? 0n) + (u?.v4.availableIPs ?? 0n), 30n - 1n - 3n);
      }
    }
  });
});
