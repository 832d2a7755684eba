import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { encodeOperation, parseTransactReply } from '../../src/ovn/protocol.js';
import { decodeValue, encodeValue, NamedUuid, parseColumnType, Uuid, valuesEqual } from '../../src/ovn/values.js';

describe('OVSDB values', () => {
  const SCALAR = parseColumnType('string');
  const SET = parseColumnType({ key: 'string', min: 0, max: 'unlimited' });
  const OPTIONAL = parseColumnType({ key: { type: 'uuid', refTable: 'X' }, min: 0, max: 1 });
  const MAP = parseColumnType({ key: 'string', value: 'string', min: 0, max: 'unlimited' });

  const DECODE: readonly [string, unknown, Parameters<typeof decodeValue>[1], unknown][] = [
    ['a scalar', 'x', SCALAR, 'x'],
    ['a set of one as a bare atom', 'x', SET, ['x']],
    ['a set', ['set', ['x', 'y']], SET, ['x', 'y']],
    ['an empty optional reference', ['set', []], OPTIONAL, []],
    ['an optional reference', ['uuid', 'u1'], OPTIONAL, [new Uuid('u1')]],
    ['a map', ['map', [['k', 'v'], ['a', 'b']]], MAP, { k: 'v', a: 'b' }],
  ];
  for (const [what, wire, type, want] of DECODE) it(`decodes ${what}`, () => assert.deepEqual(decodeValue(wire, type), want));

  it('keeps a map key named __proto__ as data, through a decode, a merge and an encode', () => {
    const decoded = decodeValue(['map', [['__proto__', 'theirs'], ['vendor', 'kube-ovn']]], MAP) as Record<string, string>;
    assert.deepEqual(Object.keys(decoded), ['__proto__', 'vendor']);
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
    assert.deepEqual(encodeValue({ ...decoded, ls: 'ovn-default' }), ['map', [['__proto__', 'theirs'], ['vendor', 'kube-ovn'], ['ls', 'ovn-default']]]);
  });

  it('encodes arrays as sets, objects as maps, references as uuid/named-uuid', () => {
    assert.deepEqual(encodeValue(['a', new Uuid('u')]), ['set', ['a', ['uuid', 'u']]]);
    assert.deepEqual(encodeValue({ vendor: 'kube-ovn' }), ['map', [['vendor', 'kube-ovn']]]);
    assert.deepEqual(encodeValue(new NamedUuid('lsp_0')), ['named-uuid', 'lsp_0']);
    assert.deepEqual(encodeValue(7), 7);
  });

  it('compares sets as sets and maps by entries', () => {
    assert.equal(valuesEqual(['a', 'b'], ['b', 'a']), true);
    assert.equal(valuesEqual(['a'], ['a', 'b']), false);
    assert.equal(valuesEqual({ a: '1', b: '2' }, { b: '2', a: '1' }), true);
    assert.equal(valuesEqual({ a: '1' }, { a: '2' }), false);
    assert.equal(valuesEqual(new Uuid('x'), new Uuid('x')), true);
  });
});

describe('transact', () => {
  it('puts operations on the wire with uuid-name and a zero wait timeout', () => {
    assert.deepEqual(encodeOperation({ op: 'insert', table: 'T', row: { name: 'n', ports: [new NamedUuid('p')] }, uuidName: 'row_1' }), { op: 'insert', table: 'T', row: { name: 'n', ports: ['set', [['named-uuid', 'p']]] }, 'uuid-name': 'row_1' });
    assert.deepEqual(encodeOperation({ op: 'wait', table: 'T', where: [['name', '==', 'n']], columns: ['name'], until: '==', rows: [] }), { op: 'wait', table: 'T', where: [['name', '==', 'n']], columns: ['name'], until: '==', rows: [], timeout: 0 });
    assert.deepEqual(encodeOperation({ op: 'mutate', table: 'T', where: [['_uuid', '==', new Uuid('u')]], mutations: [['ports', 'insert', [new Uuid('p')]]] }), { op: 'mutate', table: 'T', where: [['_uuid', '==', ['uuid', 'u']]], mutations: [['ports', 'insert', ['set', [['uuid', 'p']]]]] });
  });

  const REPLIES: readonly [string, unknown, number, unknown][] = [
    ['per-operation results', [{ uuid: ['uuid', 'u1'] }, { count: 1 }], 2, { ok: true, results: [{ uuid: 'u1' }, { count: 1 }] }],
    ['a failed operation', [{}, { error: 'timed out', details: 'wait' }, null], 3, { ok: false, reason: 'op-error', index: 1, error: 'timed out', details: 'wait' }],
    ['a commit failure after all operations', [{ uuid: ['uuid', 'u'] }, { error: 'constraint violation', details: 'duplicate name' }], 1, { ok: false, reason: 'commit-error', error: 'constraint violation', details: 'duplicate name' }],
    ['a malformed reply', { nope: 1 }, 1, { ok: false, reason: 'commit-error', error: 'malformed reply', details: '{"nope":1}' }],
  ];
  for (const [what, reply, n, want] of REPLIES) it(`reads ${what} as a value`, () => assert.deepEqual(parseTransactReply(reply, n), want));
});
