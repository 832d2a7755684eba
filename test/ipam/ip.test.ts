import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIp, formatIpv6, parseIp, parseIpv6 } from '../../src/ipam/index.js';

describe('IP text <-> bigint', () => {
  const roundTrips: ReadonlyArray<[input: string, family: 4 | 6, value: bigint, canonical: string]> = [
    ['0.0.0.0', 4, 0n, '0.0.0.0'],
    ['10.16.0.1', 4, 0x0a100001n, '10.16.0.1'],
    ['255.255.255.255', 4, 0xffffffffn, '255.255.255.255'],
    ['::', 6, 0n, '::'],
    ['::1', 6, 1n, '::1'],
    ['fd00::', 6, 0xfd00n << 112n, 'fd00::'],
    ['FD00::A', 6, (0xfd00n << 112n) | 0xan, 'fd00::a'],
    ['2001:db8:0:0:1:0:0:1', 6, 0x20010db8000000000001000000000001n, '2001:db8::1:0:0:1'],
    ['2001:0db8:0000:0000:0000:0000:0002:0001', 6, 0x20010db8000000000000000000020001n, '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1', 6, 0x20010db8000000010001000100010001n, '2001:db8:0:1:1:1:1:1'],
    ['2001:db8::1:0:0:0', 6, 0x20010db8000000000001000000000000n, '2001:db8:0:0:1::'],
    ['1:0:0:2:0:0:0:3', 6, 0x00010000000000020000000000000003n, '1:0:0:2::3'],
    ['::ffff:1.2.3.4', 6, 0xffff01020304n, '::ffff:1.2.3.4'],
    ['::1.2.3.4', 6, 0x01020304n, '::102:304'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 6, (1n << 128n) - 1n, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['1:2:3:4:5:6:7::', 6, 0x00010002000300040005000600070000n, '1:2:3:4:5:6:7:0'],
  ];
  for (const [input, family, value, canonical] of roundTrips) {
    it(`parses ${input} and formats it as ${canonical}`, () => {
      assert.deepEqual(parseIp(input), { family, value });
      assert.equal(formatIp(family, value), canonical);
    });
  }

  const invalid = [
    '', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.04', '256.1.1.1', '1.2.3.4 ', ' 1.2.3.4', '1..2.3', '1.2.3.-4',
    ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::1', 'fe80::1%eth0', '1:2:3:4:5:6:7:8::',
    '::1.2.3', '1.2.3.4::', '::ffff:01.2.3.4', '10.16.0.0/16',
  ];
  for (const input of invalid) {
    it(`rejects \`${input}\``, () => {
      assert.equal(parseIp(input), undefined);
    });
  }

  it('formats every value it parses back to a value that parses to the same number', () => {
    let x = 0x20010db8000000000000000000000000n;
    for (let i = 0; i < 2000; i++) {
      x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 128n) - 1n);
      // clear random groups so zero runs of every length occur
      const masked = x & ~(0xffffn << (BigInt(i % 8) * 16n)) & ~(0xffffffffn << (BigInt((i >> 3) % 7) * 16n));
      assert.equal(parseIpv6(formatIpv6(masked)), masked);
    }
  });
});
