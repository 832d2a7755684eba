import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyUpdate2, hasMember, rowsNamed } from '../../src/ovn/cache.js';
import type { DbCache } from '../../src/ovn/cache.js';
import { holds } from '../../src/ovn/nb-rows.js';
import { serverStatus } from '../../src/ovn/server.js';
import { atomKey, Uuid } from '../../src/ovn/values.js';
import type { Atom } from '../../src/ovn/values.js';
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

  it('adds, replaces and removes a map key named __proto__ as any other key', () => {
    const { cache, row } = setup();
    const diff = (value: string) => ({ Logical_Switch: { s1: { modify: { external_ids: ['map', [['__proto__', value]]] } } } });
    const ids = () => row()?.['external_ids'] as Record<string, string>;
    applyUpdate2(cache, NB_SCHEMA, diff('x'));
    assert.deepEqual(Object.entries(ids()), [['vendor', 'kube-ovn'], ['a', '1'], ['__proto__', 'x']]);
    applyUpdate2(cache, NB_SCHEMA, diff('y'));
    assert.equal(Object.getOwnPropertyDescriptor(ids(), '__proto__')?.value, 'y');
    applyUpdate2(cache, NB_SCHEMA, diff('y'));
    assert.deepEqual(Object.entries(ids()), [['vendor', 'kube-ovn'], ['a', '1']]);
    assert.equal(Object.getPrototypeOf(ids()), Object.prototype);
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

const modify = (cache: DbCache, table: string, row: string, columns: Record<string, unknown>) => applyUpdate2(cache, NB_SCHEMA, { [table]: { [row]: { modify: columns } } });
const sorted = (v: unknown) => [...(v as Atom[])].map(atomKey).sort();

describe('update2 set and map diffs, applied in place (issue 14)', () => {
  it('adds and removes single elements without copying the set, and answers membership for each', () => {
    const { cache, row } = setup();
    const ports = row()?.['ports'];
    modify(cache, 'Logical_Switch', 's1', { ports: uuid('p3') });
    modify(cache, 'Logical_Switch', 's1', { ports: uuid('p1') });
    const r = row();
    assert.ok(r !== undefined);
    assert.equal(r['ports'], ports, 'the cached set is changed in place, not copied');
    assert.deepEqual(sorted(r['ports']), ['u:p2', 'u:p3']);
    assert.deepEqual(['p1', 'p2', 'p3'].map((p) => holds(r, 'ports', p)), [false, true, true]);
  });

  it('keeps membership right when a removal moves the last element into the hole', () => {
    const { cache, row } = setup();
    modify(cache, 'Logical_Switch', 's1', { ports: set(uuid('p3'), uuid('p4')) });
    const r0 = row();
    assert.ok(r0 !== undefined && holds(r0, 'ports', 'p4'), 'indexed before the removal');
    modify(cache, 'Logical_Switch', 's1', { ports: set(uuid('p1')) });
    modify(cache, 'Logical_Switch', 's1', { ports: set(uuid('p4')) });
    const r = row();
    assert.ok(r !== undefined);
    assert.deepEqual(sorted(r['ports']), ['u:p2', 'u:p3']);
    assert.deepEqual(['p1', 'p2', 'p3', 'p4'].map((p) => holds(r, 'ports', p)), [false, true, true, false]);
  });

  it('re-adds an element removed by an earlier update, in the order the updates came', () => {
    const { cache, row } = setup();
    for (const diff of [uuid('p2'), uuid('p2'), uuid('p2')]) modify(cache, 'Logical_Switch', 's1', { ports: diff });
    assert.deepEqual(sorted(row()?.['ports']), ['u:p1']);
  });

  it('starts a set the initial row omitted (a default, left out of update2 rows)', () => {
    const cache = cacheWith({ Logical_Switch: { s2: { name: 'empty' } } });
    modify(cache, 'Logical_Switch', 's2', { ports: set(uuid('a'), uuid('b')) });
    const r = cache.tables.get('Logical_Switch')?.get('s2');
    assert.ok(r !== undefined);
    assert.deepEqual(sorted(r['ports']), ['u:a', 'u:b']);
    assert.equal(hasMember(r, 'ports', 'a'), true);
    assert.equal(hasMember(r, 'external_ids', 'a'), false, 'a map column holds no members');
  });

  it('takes an optional column (min 0, max 1) in a modify as its new value, as ovsdb-server sends it', () => {
    // ovsdb_datum_diff sends a column that is not composite (max 1) whole; checked against a real
    // ovsdb-server with `ovn-nbctl set/clear Logical_Router_Static_Route policy`.
    const cache = cacheWith({ Logical_Router_Static_Route: { r1: { ip_prefix: '0.0.0.0/0', nexthop: '100.64.0.1', policy: 'dst-ip' } } });
    const route = () => cache.tables.get('Logical_Router_Static_Route')?.get('r1');
    modify(cache, 'Logical_Router_Static_Route', 'r1', { policy: 'src-ip' });
    assert.deepEqual(route()?.['policy'], ['src-ip']);
    modify(cache, 'Logical_Router_Static_Route', 'r1', { policy: set() });
    assert.deepEqual(route()?.['policy'], [], 'cleared back to its default');
  });

  it('applies map diffs in place across updates: add, replace, remove', () => {
    const { cache, row } = setup();
    const ids = row()?.['external_ids'];
    modify(cache, 'Logical_Switch', 's1', { external_ids: map({ b: '1' }) });
    modify(cache, 'Logical_Switch', 's1', { external_ids: map({ b: '2', a: '1' }) });
    assert.equal(row()?.['external_ids'], ids, 'the cached map is changed in place');
    assert.deepEqual(row()?.['external_ids'], { vendor: 'kube-ovn', b: '2' });
  });

  it('keeps a row by name and gives a modified row a new object', () => {
    const { cache, row } = setup();
    const before = row();
    modify(cache, 'Logical_Switch', 's1', { ports: uuid('p9') });
    assert.notEqual(row(), before);
    assert.deepEqual(rowsNamed(cache, 'Logical_Switch', 'ls').map((r) => r._uuid), ['s1']);
  });

  it('matches the set model for any sequence of diffs (property)', () => {
    const element = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
    fc.assert(
      fc.property(fc.uniqueArray(element), fc.array(fc.uniqueArray(element, { minLength: 1 }), { maxLength: 12 }), fc.array(element), (initial, diffs, probes) => {
        const cache = cacheWith({ Logical_Switch: { s: { name: 'ls', ports: set(...initial.map(uuid)) } } });
        const model = new Set<string>(initial);
        const r = () => cache.tables.get('Logical_Switch')?.get('s');
        for (const [i, diff] of diffs.entries()) {
          // Probing between updates makes later diffs run over an indexed set.
          const now = r();
          if (i % 2 === 0 && now !== undefined) for (const p of probes) holds(now, 'ports', p);
          modify(cache, 'Logical_Switch', 's', { ports: set(...diff.map(uuid)) });
          for (const x of diff) if (!model.delete(x)) model.add(x);
        }
        const last = r();
        assert.ok(last !== undefined);
        assert.deepEqual(sorted(last['ports']), [...model].map((x) => `u:${x}`).sort());
        for (const x of ['a', 'b', 'c', 'd', 'e', 'f']) assert.equal(holds(last, 'ports', x), model.has(x), x);
      }),
      { numRuns: 300 },
    );
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
