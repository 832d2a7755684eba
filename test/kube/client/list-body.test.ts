// The item-by-item list decoder against JSON.parse of the whole body: the same items and
// metadata for any list, and the same error for a broken one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeListBody } from '../../../src/kube/client/index.js';

type Obj = Record<string, unknown>;
const identity = (x: Obj): Obj => x;

function whole(text: string): { items: unknown[]; metadata: unknown } {
  const v = JSON.parse(text) as { items?: unknown[]; metadata?: unknown };
  return { items: v.items ?? [], metadata: v.metadata };
}

function decode(text: string, map: (x: Obj) => unknown = identity) {
  return decodeListBody<Obj, unknown>(Buffer.from(text, 'utf8'), map);
}

// Strings built to trip a byte scanner: quotes, backslashes, brackets, commas, non-ASCII.
const nasty = fc.string({ unit: fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', 'a', ' ', '\n', 'é', '日', '😀', '\u0000'), maxLength: 12 });
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, nasty, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(nasty, tie('v'), { maxKeys: 4 })),
})).v;
const item = fc.dictionary(nasty, value, { maxKeys: 6 });
const list = fc.record({
  kind: fc.constant('PodList'),
  apiVersion: fc.constant('v1'),
  metadata: fc.record({ resourceVersion: fc.string(), continue: fc.string() }, { requiredKeys: [] }),
  items: fc.array(item, { maxLength: 8 }),
}, { requiredKeys: ['items'] });

describe('list body decoding', () => {
  it('gives what JSON.parse of the whole body gives, for any list, compact or indented, in any key order', () => {
    fc.assert(
      fc.property(list, fc.boolean(), fc.boolean(), (l, indent, itemsFirst) => {
        const ordered = itemsFirst ? { items: l.items, kind: l.kind, apiVersion: l.apiVersion, metadata: l.metadata } : l;
        const text = JSON.stringify(ordered, null, indent ? 2 : undefined);
        const got = decode(text);
        const want = whole(text);
        assert.deepEqual(got.items, want.items);
        assert.deepEqual(got.metadata, want.metadata);
      }),
      { numRuns: 300 },
    );
  });

  it('maps each item once, in order, and returns what the map returns', () => {
    const seen: string[] = [];
    const got = decode('{"metadata":{"resourceVersion":"7","continue":"c"},"items":[{"n":"a"},{"n":"b"},{"n":"c"}]}', (x) => {
      seen.push(String(x['n']));
      return { slim: x['n'] };
    });
    assert.deepEqual(seen, ['a', 'b', 'c']);
    assert.deepEqual(got.items, [{ slim: 'a' }, { slim: 'b' }, { slim: 'c' }]);
    assert.deepEqual(got.metadata, { resourceVersion: '7', continue: 'c' });
  });

  it('reads a list with no items, an empty items array, and an empty body as empty', () => {
    assert.deepEqual(decode('{"kind":"PodList","metadata":{"resourceVersion":"3"}}'), { items: [], metadata: { resourceVersion: '3' } });
    assert.deepEqual(decode(' { "items" : [ ] } ').items, []);
    assert.deepEqual(decode('{}'), { items: [], metadata: undefined });
    assert.deepEqual(decodeListBody(Buffer.alloc(0), identity), { items: [], metadata: undefined });
  });

  it('decodes UTF-8 split anywhere: multi-byte characters inside item strings survive', () => {
    const text = JSON.stringify({ items: [{ note: 'naïve 日本 😀 "q" \\ ]}' }, { note: '}],{' }] });
    assert.deepEqual(decode(text).items, [{ note: 'naïve 日本 😀 "q" \\ ]}' }, { note: '}],{' }]);
  });

  it('falls back to the whole body for shapes it does not split, with the same result', () => {
    for (const text of ['{"items":[{"a":1},2,{"b":3}]}', '{"items":[{"a":1}],"items":[{"b":2}]}', '{"items":null}', '{"metadata":{"resourceVersion":"1"},"items":[]  ,"x":[1,{"y":"]"}]}']) {
      const want = whole(text);
      const got = decode(text);
      assert.deepEqual(got.items, want.items, text);
      assert.deepEqual(got.metadata, want.metadata, text);
    }
  });

  it('rejects a truncated or malformed body as JSON.parse does', () => {
    for (const text of ['{"items":[{"a":1},{"b":', '{"items":[{"a":1}]', '{"items":[{"a":tru}]}', '[1,2]x', 'not json']) {
      assert.throws(() => decode(text), SyntaxError, text);
    }
  });

  it('decodes one item at a time: an item is mapped before the next is parsed', () => {
    // JSON.parse of the whole body would fail before mapping anything.
    const seen: Obj[] = [];
    assert.throws(() => decode('{"metadata":{},"items":[{"a":1},{"b":tru}]}', (x) => seen.push(x)), SyntaxError);
    assert.deepEqual(seen, [{ a: 1 }]);
  });

  it('decodes each item to the fields asked for, as JSON.parse and a pick of them would', () => {
    const shape = { metadata: { name: true, 'a': true }, spec: true } as const;
    const pick = (item: Obj): Obj => {
      const out: Obj = {};
      for (const [k, v] of Object.entries(item)) {
        if (k === 'spec') out[k] = v;
        else if (k === 'metadata') out[k] = typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([m]) => m === 'name' || m === 'a')) : v;
      }
      return out;
    };
    const podLike = fc.record({ metadata: fc.oneof(fc.dictionary(fc.constantFrom('name', 'a', 'b', 'managedFields'), value, { maxKeys: 4 }), value), spec: value, status: value }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.array(podLike, { maxLength: 6 }), fc.boolean(), (items, indent) => {
        const text = JSON.stringify({ kind: 'PodList', metadata: { continue: 'c' }, items }, null, indent ? 2 : undefined);
        const got = decodeListBody<Obj, Obj>(Buffer.from(text, 'utf8'), identity, shape);
        assert.deepEqual(got.items, (whole(text).items as Obj[]).map(pick));
        assert.deepEqual(got.metadata, { continue: 'c' });
      }),
      { numRuns: 300 },
    );
    // A truncated body is refused as before, shape or not.
    assert.throws(() => decodeListBody(Buffer.from('{"items":[{"metadata":{"name":"a"}},{"metadata":'), identity, shape), SyntaxError);
  });
});
