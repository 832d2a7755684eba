import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCache, rowsNamed } from '../../src/ovn/cache.js';
import { strMap } from '../../src/ovn/nb-rows.js';
import { Uuid } from '../../src/ovn/values.js';
import type { Row } from '../../src/ovn/cache.js';

describe('strMap', () => {
  it('reads a string map as the cached value itself, without a copy', () => {
    const ids = { vendor: 'kube-ovn', ls: 'ovn-default' };
    const row: Row = { _uuid: 'u1', external_ids: ids };
    assert.equal(strMap(row, 'external_ids'), ids);
  });

  it('gives other maps with their values as strings, references as their uuid', () => {
    const row: Row = { _uuid: 'u1', options: { mtu: 1400, up: true, peer: new Uuid('u2'), name: 'x' } };
    assert.deepEqual(strMap(row, 'options'), { mtu: '1400', up: 'true', peer: 'u2', name: 'x' });
  });

  it('is empty for a missing row or column and for a set or scalar column', () => {
    const row: Row = { _uuid: 'u1', ports: [new Uuid('u2')], name: 'ls', ref: new Uuid('u3') };
    for (const column of ['absent', 'ports', 'name', 'ref']) assert.deepEqual(strMap(row, column), {}, column);
    assert.deepEqual(strMap(undefined, 'external_ids'), {});
  });
});

describe('rowsNamed', () => {
  it('gives every cached row of the name, skipping indexed uuids without a row', () => {
    const cache = createCache();
    const a: Row = { _uuid: 'a', name: 'ls' };
    const b: Row = { _uuid: 'b', name: 'ls' };
    cache.tables.set('Logical_Switch', new Map([['a', a], ['b', b]]));
    cache.byName.set('Logical_Switch', new Map([['ls', new Set(['a', 'gone', 'b'])]]));
    assert.deepEqual(rowsNamed(cache, 'Logical_Switch', 'ls'), [a, b]);
    assert.deepEqual(rowsNamed(cache, 'Logical_Switch', 'other'), []);
    assert.deepEqual(rowsNamed(cache, 'Port_Group', 'ls'), []);
  });
});
