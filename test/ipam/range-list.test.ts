import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RangeList } from '../../src/ipam/index.js';
import type { Range } from '../../src/ipam/index.js';

const text = (l: RangeList) => l.format((v) => v.toString());
const list = (...ranges: Array<[number, number]>) => RangeList.of(ranges.map(([s, e]): Range => [BigInt(s), BigInt(e)]));

describe('RangeList', () => {
  it('sorts, merges overlapping and adjacent ranges and drops inverted ones', () => {
    assert.equal(text(list([20, 25], [1, 3], [4, 6], [2, 5], [9, 9], [8, 7])), '1-6,9,20-25');
  });

  it('splits a range when an inner address is removed and merges it back when re-added', () => {
    const l = list([1, 10]);
    assert.equal(l.remove(5n), true);
    assert.equal(text(l), '1-4,6-10');
    assert.equal(l.remove(5n), false);
    assert.equal(l.add(5n), true);
    assert.equal(text(l), '1-10');
    assert.equal(l.add(5n), false);
  });

  it('takes the lowest address first and skips exhausted ranges', () => {
    const l = list([1, 2], [5, 5], [9, 10]);
    const taken = Array.from({ length: 6 }, () => l.takeFirst());
    assert.deepEqual(taken, [1n, 2n, 5n, 9n, 10n, undefined]);
    assert.equal(l.isEmpty(), true);
  });

  it('subtracts, intersects and counts', () => {
    const a = list([1, 100]);
    const b = list([0, 1], [10, 19], [50, 50], [100, 200]);
    assert.equal(text(a.subtract(b)), '2-9,20-49,51-99');
    assert.equal(text(a.intersect(b)), '1,10-19,50,100');
    assert.equal(a.subtract(b).count(), 87n);
    assert.equal(text(list().subtract(b)), '');
  });

  it('matches a per-address model under random operations', () => {
    const l = RangeList.empty();
    const model = new Set<number>();
    let seed = 7;
    for (let i = 0; i < 3000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const v = seed % 200;
      if (seed % 3 === 0) assert.equal(l.remove(BigInt(v)), model.delete(v));
      else if (seed % 3 === 1) {
        assert.equal(l.add(BigInt(v)), !model.has(v));
        model.add(v);
      } else {
        const first = l.takeFirst();
        const min = model.size === 0 ? undefined : Math.min(...model);
        assert.equal(first, min === undefined ? undefined : BigInt(min));
        if (min !== undefined) model.delete(min);
      }
    }
    assert.equal(l.count(), BigInt(model.size));
    for (let v = 0; v < 200; v++) assert.equal(l.contains(BigInt(v)), model.has(v));
  });
});
