import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createJsonSplitter, FramingError } from '../../src/ovn/framing.js';

const bytes = (s: string) => new TextEncoder().encode(s);

/** Feeds `text` cut at every position in `cuts`, returning everything parsed. */
function feed(text: string, cuts: readonly number[]): unknown[] {
  const b = bytes(text);
  const s = createJsonSplitter();
  const out: unknown[] = [];
  let at = 0;
  for (const c of [...cuts, b.length]) {
    out.push(...s.push(b.subarray(at, c)));
    at = c;
  }
  return out;
}

describe('JSON splitter', () => {
  const STREAM = '{"id":1,"result":["a}b"]}  {"method":"echo","params":["\\"}{\\\\"],"id":"x"}\n{"id":2,"result":{"é€😀":"[]"}}';
  const WANT = [{ id: 1, result: ['a}b'] }, { method: 'echo', params: ['"}{\\'], id: 'x' }, { id: 2, result: { 'é€😀': '[]' } }];

  it('splits concatenated objects whatever the chunking (braces in strings, escapes, UTF-8 cut mid code point)', () => {
    const length = bytes(STREAM).length;
    for (let cut = 0; cut <= length; cut++) assert.deepEqual(feed(STREAM, [cut]), WANT, `cut at ${cut}`);
    assert.deepEqual(feed(STREAM, Array.from({ length }, (_, i) => i)), WANT, 'one byte at a time');
  });

  it('holds an unfinished text and reports its size', () => {
    const s = createJsonSplitter();
    assert.deepEqual(s.push(bytes('{"id":1,"res')), []);
    assert.equal(s.pending, 12);
    assert.deepEqual(s.push(bytes('ult":null}')), [{ id: 1, result: null }]);
    assert.equal(s.pending, 0);
  });

  const BAD: readonly [string, RegExp][] = [
    ['42', /expected `\{` to start a JSON-RPC message, got byte 0x34/],
    ['{"a":tru}', /malformed JSON text starting/],
  ];
  for (const [text, message] of BAD) {
    it(`refuses ${text}`, () => {
      assert.throws(() => createJsonSplitter().push(bytes(text)), (e: unknown) => e instanceof FramingError && message.test(e.message));
    });
  }

  it('refuses invalid UTF-8 and a text over the size bound', () => {
    assert.throws(() => createJsonSplitter().push(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), /not valid UTF-8/);
    assert.throws(() => createJsonSplitter(8).push(bytes('{"long":"0123456789"')), /exceeds 8 bytes/);
  });
});
