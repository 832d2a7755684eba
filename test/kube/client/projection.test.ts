// Field projection on JSON bytes against JSON.parse of the whole object and a pick of the shape.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { projectObject } from '../../../src/kube/client/index.js';
import type { FieldShape } from '../../../src/kube/client/index.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** What the projection must give: the shape's fields of the parsed object, nested into objects only. */
function pick(value: { [k: string]: Json }, shape: FieldShape): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(value)) {
    const want = Object.hasOwn(shape, k) ? shape[k] : undefined;
    if (want === undefined) continue;
    out[k] = want !== true && typeof v === 'object' && v !== null && !Array.isArray(v) ? pick(v, want) : v;
  }
  return out;
}

function projected(text: string, shape: FieldShape): unknown {
  const b = Buffer.from(text, 'utf8');
  const t = projectObject(b, 0, b.length, shape);
  return t === undefined ? undefined : JSON.parse(t);
}

const keys = fc.constantFrom('a', 'b', 'metadata', 'name', 'spec', 'é', '"q"', 'a\\b', '}', '');
const nasty = fc.string({ unit: fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', 'a', ' ', '\n', 'é', '日', '😀', '\u0000'), maxLength: 10 });
const json = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, nasty, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.oneof(keys, nasty), tie('v'), { maxKeys: 5 })),
})).v as fc.Arbitrary<Json>;
const object = fc.dictionary(fc.oneof(keys, nasty), json, { maxKeys: 6 });
const shape: fc.Arbitrary<FieldShape> = fc.letrec((tie) => ({
  s: fc.dictionary(keys, fc.oneof({ depthSize: 'small' }, fc.constant(true as const), tie('s')), { maxKeys: 4 }),
})).s as fc.Arbitrary<FieldShape>;

describe('projectObject', () => {
  it("gives the shape's fields of any object, compact or indented, as JSON.parse and a pick would", () => {
    fc.assert(
      fc.property(object, shape, fc.boolean(), (obj, s, indent) => {
        const text = JSON.stringify(obj, null, indent ? 2 : undefined);
        assert.deepEqual(projected(text, s), pick(JSON.parse(text) as { [k: string]: Json }, s));
      }),
      { numRuns: 500 },
    );
  });

  it('matches escaped keys by their value, keeps each repeat of a key (the parse keeps the last), and nests only into objects', () => {
    assert.deepEqual(projected('{"na\\u006de":"x","other":1}', { name: true }), { name: 'x' });
    assert.deepEqual(projected('{"a":1,"b":2,"a":3}', { a: true }), { a: 3 });
    assert.deepEqual(projected('{"m":{"x":1,"y":2},"m":{"y":5}}', { m: { y: true } }), { m: { y: 5 } });
    assert.deepEqual(projected('{"spec":null,"status":[1,{"p":2}],"meta":"s"}', { spec: { a: true }, status: { p: true }, meta: { a: true } }), { spec: null, status: [1, { p: 2 }], meta: 's' });
    assert.deepEqual(projected('{  }', { a: true }), {});
  });

  it('reads only its window of the buffer, and gives undefined for anything but one whole object there', () => {
    const b = Buffer.from('[{"a":1,"b":{"c":2}},{"a":3}]');
    assert.equal(projectObject(b, 1, 20, { a: true, b: { c: true } }), '{"a":1,"b":{"c":2}}');
    assert.equal(projectObject(b, 21, 28, { a: true }), '{"a":3}');
    for (const text of ['[1]', '"x"', '{"a":1', '{"a":1}x', '{"a" 1}', '{a:1}', '{"a":1,}', '{"a":{"b":}}']) {
      const t = Buffer.from(text);
      assert.equal(projectObject(t, 0, t.length, { a: { b: true } }), undefined, text);
    }
  });
});
