import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { applyUpdate2, rowsNamed } from '../../src/ovn/cache.js';
import { serverStatus } from '../../src/ovn/server.js';
import { Uuid } from '../../src/ovn/values.js';
import { cacheWith, map, NB_SCHEMA, set, uuid } from './fixtures.js';

function setup() {
  const cache = cacheWith({ Logical_Switch: { s1: { name: 'ls', ports: set(uuid('p1'), uuid('p2')), external_ids: map({ vendor: 'kube-ovn', a: '1' }) } } });
  const row = () => cache.tables.get('Logical_Switch')?.get('s1');
  return { cache, row };
}

describe('update2 cache', () => {
  it('keeps initial rows decoded by the schema and indexed by name', () => {
    const { cache, row } = setup();
    assert.deepEqual(row()?.['ports'], [new Uuid('p1'), new Uuid('p2')]);
    assert.deepEqual(rowsNamed(cache, 'Logical_Switch', 'ls').map((r) => r._uuid), ['s1']);
  });

  it('flips set members named in a modify (insert one, remove another)', () => {
    const { cache, row } = setup();
    applyUpdate2(cache, NB_SCHEMA, { Logical_Switch: { s1: { modify: { ports: set(uuid('p2'), uuid('p3')) } } } });
    assert.deepEqual(row()?.['ports'], [new Uuid('p1'), new Uuid('p3')]);
  });

  it('applies a map diff: new key added, same key and value removed, other value replaced', () => {
    const { cache, row } = setup();
    applyUpdate2(cache, NB_SCHEMA, { Logical_Switch: { s1: { modify: { external_ids: map({ vendor: 'kube-ovn', a: '2', b: '3' }) } } } });
    assert.deepEqual(row()?.['external_ids'], { a: '2', b: '3' });
  });

  it('replaces a scalar, re-indexes a rename and drops a deleted row', () => {
    const { cache } = setup();
    applyUpdate2(cache, NB_SCHEMA, { Logical_Switch: { s1: { modify: { name: 'other' } } } });
    assert.deepEqual(rowsNamed(cache, 'Logical_Switch', 'ls'), []);
    assert.equal(rowsNamed(cache, 'Logical_Switch', 'other').length, 1);
    applyUpdate2(cache, NB_SCHEMA, { Logical_Switch: { s1: { delete: null } } });
    assert.equal(cache.tables.get('Logical_Switch')?.size, 0);
    assert.deepEqual(rowsNamed(cache, 'Logical_Switch', 'other'), []);
  });

  it('inserts a row and refuses a modify of a row it never saw', () => {
    const { cache } = setup();
    applyUpdate2(cache, NB_SCHEMA, { Logical_Switch_Port: { p9: { insert: { name: 'p.ns', addresses: '0a:00:00:00:00:01 10.0.0.2' } } } });
    assert.deepEqual(cache.tables.get('Logical_Switch_Port')?.get('p9')?.['addresses'], ['0a:00:00:00:00:01 10.0.0.2']);
    assert.throws(() => applyUpdate2(cache, NB_SCHEMA, { Logical_Switch: { nope: { modify: { name: 'x' } } } }), /modify of unknown row Logical_Switch nope/);
  });
});

describe('_Server.Database status', () => {
  const row = (r: Record<string, unknown>) => ({ Database: { d1: { initial: { name: 'OVN_Northbound', ...r } } } });
  const CASES: readonly [string, unknown, unknown][] = [
    ['a standalone database is usable', row({ model: 'standalone', leader: true, connected: true }), { usable: true }],
    ['a clustered leader is usable', row({ model: 'clustered', leader: true, connected: true }), { usable: true }],
    ['a follower is not', row({ model: 'clustered', leader: false, connected: true }), { usable: false, why: 'cluster member is not the leader' }],
    ['a member cut off from the cluster is not', row({ model: 'clustered', leader: true, connected: false }), { usable: false, why: 'cluster member is not connected to the cluster' }],
    ['a leader stepping down (modify) is not', { Database: { d1: { modify: { leader: false } } } }, { usable: false, why: 'cluster member is not the leader' }],
    ['a follower\'s initial row, which omits leader=false (a default), is not', row({ model: 'clustered', connected: true }), { usable: false, why: 'cluster member is not the leader' }],
    ['an update about other columns says nothing', { Database: { d1: { modify: { index: 7 } } } }, undefined],
  ];
  for (const [what, update, want] of CASES) it(what, () => assert.deepEqual(serverStatus(update, 'OVN_Northbound'), want));
});
