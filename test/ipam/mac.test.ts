import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MacSet, MacSource, formatMac, parseMac } from '../../src/ipam/index.js';

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

  it('generates locally administered unicast MACs from the injected random bytes', () => {
    const source = new MacSource((bytes) => bytes.fill(0xff));
    const mac = formatMac(source.next());
    assert.equal(mac, 'fe:ff:ff:ff:ff:ff');
    const zero = new MacSource((bytes) => bytes.fill(0));
    assert.equal(formatMac(zero.next()), '02:00:00:00:00:00');
  });

  it('reads randomness in batches, not once per MAC', () => {
    let calls = 0;
    const source = new MacSource((bytes) => {
      calls++;
      crypto.getRandomValues(bytes);
    });
    for (let i = 0; i < 1000; i++) source.next();
    assert.ok(calls <= 5, `random called ${calls} times for 1000 MACs`);
  });

  it('keeps set membership exact through growth and deletions', () => {
    const set = new MacSet();
    const model = new Set<number>();
    const source = new MacSource((bytes) => crypto.getRandomValues(bytes));
    const values = Array.from({ length: 5000 }, () => source.next());
    for (const v of values) assert.equal(set.add(v), !model.has(v)), model.add(v);
    for (let i = 0; i < values.length; i += 2) assert.equal(set.delete(values[i] as number), model.delete(values[i] as number));
    assert.equal(set.size, model.size);
    for (const v of values) assert.equal(set.has(v), model.has(v));
    assert.equal(set.delete(values[0] as number), false);
  });
});
