import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidrContains, cidrOverlaps, formatCidr, formatIp, parseCidr, parseIp, usableRange } from '../../src/ipam/index.js';
import type { Cidr } from '../../src/ipam/index.js';

function cidr(text: string): Cidr {
  const c = parseCidr(text);
  assert.ok(c, `test CIDR ${text} parses`);
  return c;
}

describe('CIDR math', () => {
  it('masks host bits like net.ParseCIDR and reports that it did', () => {
    const c = cidr('10.16.0.1/16');
    assert.equal(formatCidr(c), '10.16.0.0/16');
    assert.equal(c.hostBitsSet, true);
    assert.equal(cidr('fd00::5/64').hostBitsSet, true);
    assert.equal(cidr('10.16.0.0/16').hostBitsSet, false);
  });

  for (const bad of ['10.16.0.0', '10.16.0.0/33', '10.16.0.0/-1', '10.16.0.0/016', 'fd00::/129', '10.16.0.0/', '/16', 'x/8', '10.16.0.0/1 6']) {
    it(`rejects \`${bad}\``, () => assert.equal(parseCidr(bad), undefined));
  }

  const usable: ReadonlyArray<[text: string, first: string, last: string] | [text: string, none: undefined]> = [
    ['10.16.0.0/16', '10.16.0.1', '10.16.255.254'],
    ['10.0.0.0/30', '10.0.0.1', '10.0.0.2'],
    ['10.0.0.0/31', '10.0.0.0', '10.0.0.1'],
    ['10.0.0.7/32', undefined],
    ['fd00::/64', 'fd00::1', 'fd00::ffff:ffff:ffff:fffe'],
    ['fd00::/127', 'fd00::', 'fd00::1'],
    ['fd00::1/128', undefined],
    ['0.0.0.0/0', '0.0.0.1', '255.255.255.254'],
    ['::/0', '::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe'],
  ];
  for (const [text, first, last] of usable) {
    it(`gives ${text} the usable range ${first === undefined ? 'none' : `${first}..${last}`}`, () => {
      const c = cidr(text);
      const r = usableRange(c);
      if (first === undefined) assert.equal(r, undefined);
      else assert.deepEqual(r && [formatIp(c.family, r.first), formatIp(c.family, r.last)], [first, last]);
    });
  }

  it('tells containment and overlap, never across families', () => {
    const a = cidr('10.16.0.0/16');
    const ip = parseIp('10.16.255.255');
    assert.ok(ip);
    assert.equal(cidrContains(a, 4, ip.value), true);
    assert.equal(cidrContains(a, 6, ip.value), false);
    assert.equal(cidrOverlaps(a, cidr('10.16.128.0/17')), true);
    assert.equal(cidrOverlaps(a, cidr('10.0.0.0/8')), true);
    assert.equal(cidrOverlaps(a, cidr('10.17.0.0/16')), false);
    assert.equal(cidrOverlaps(cidr('::/96'), cidr('0.0.0.0/0')), false);
  });
});
