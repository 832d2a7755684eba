import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MacSet, formatMac, parseMac } from '../../src/ipam/index.js';

describe('MAC addresses', () => {
  const valid: ReadonlyArray<[string, string]> = [
    ['0a:58:0a:10:00:05', '0a:58:0a:10:00:05'],
    ['0A-58-0A-10-00-05', '0a:58:0a:10:00:05'],
    ['0a58.0a10.0005', '0a:58:0a:10:00:05'],
    ['00:00:00:00:00:01', '00:00:00:00:00:01'],
  ];
  for (const [input, canonical] of valid) {
    it(`parses ${input} as ${canonical}`, () => {
      const v = parseMac(input);
      assert.ok(v !== undefined);
      assert.equal(formatMac(v), canonical);
    });
  }
  for (const bad of ['', '0a:58:0a:10:00', '0a:58:0a:10:00:05:06', '0a:58-0a:10:00:05', 'zz:58:0a:10:00:05', '01:00:5e:00:00:01', 'ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00', '0a:58:0a:10:00:05:00:00']) {
    it(`rejects \`${bad}\` (malformed, group or zero)`, () => assert.equal(parseMac(bad), undefined));
  }

  it('keeps set membership exact through growth and deletions', () => {
    const set = new MacSet();
    const model = new Set<number>();
    // random 48-bit values, plus a run of neighbours so probe chains collide and deletions shift them
    const values = Array.from({ length: 5000 }, (_, i) => (i < 500 ? 0x0a580a000000 + i : Math.floor(Math.random() * 2 ** 48) + 1));
    for (const v of values) assert.equal(set.add(v), !model.has(v)), model.add(v);
    for (let i = 0; i < values.length; i += 2) assert.equal(set.delete(values[i] as number), model.delete(values[i] as number));
    assert.equal(set.size, model.size);
    for (const v of values) assert.equal(set.has(v), model.has(v));
    assert.equal(set.delete(values[0] as number), false);
  });
});
