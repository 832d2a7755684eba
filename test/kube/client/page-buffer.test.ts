// The buffer a list's pages are read into in turn: each page's bytes exactly, however the body
// is cut and whatever length was announced, and nothing decoded from a page refers to it after.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeListBody, PageBuffer } from '../../../src/kube/client/index.js';

/** `bytes` cut at the given points (sorted, deduplicated, inside the range). */
function cut(bytes: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    if (p > from) out.push(bytes.subarray(from, p));
    from = p;
  }
  return out;
}

const page = fc.record({
  bytes: fc.uint8Array({ maxLength: 300_000 }).map((a) => Buffer.from(a)),
  cuts: fc.array(fc.nat(), { maxLength: 20 }),
  // The announced length is a sizing hint: right, absent, too small or too large.
  announced: fc.constantFrom('exact', 'none', 'short', 'long'),
});

describe('PageBuffer', () => {
  it('gives each page of a sequence its exact bytes, larger pages after smaller and back', () => {
    fc.assert(
      fc.property(fc.array(page, { minLength: 1, maxLength: 6 }), (pages) => {
        const buffer = new PageBuffer();
        for (const p of pages) {
          const n = p.bytes.length;
          buffer.start(p.announced === 'exact' ? n : p.announced === 'short' ? Math.floor(n / 2) : p.announced === 'long' ? n + 1000 : undefined);
          for (const chunk of cut(p.bytes, p.cuts)) buffer.append(chunk);
          assert.ok(buffer.view().equals(p.bytes), `page of ${n} bytes (${p.announced})`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('takes an absurd announced length as no length, instead of allocating it', () => {
    const buffer = new PageBuffer();
    buffer.start(2 ** 40);
    buffer.append(Buffer.from('{"items":[]}'));
    assert.equal(buffer.view().toString(), '{"items":[]}');
  });

  it('leaves nothing decoded from a page pointing into it once the next page overwrites it', () => {
    const pods = (tag: string, n: number) => Array.from({ length: n }, (_, i) => ({ metadata: { name: `${tag}-${i}`, annotations: { a: `${tag}é${i}` } }, spec: { nodeName: tag } }));
    const body = (items: unknown[]) => Buffer.from(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '7', continue: 'c' }, items }));
    const buffer = new PageBuffer();
    const first = body(pods('first', 50));
    buffer.start(undefined);
    for (const chunk of cut(first, [100, 1000, 5000])) buffer.append(chunk);
    const decoded = decodeListBody<Record<string, unknown>, Record<string, unknown>>(buffer.view(), (x) => x, { metadata: { name: true, annotations: true }, spec: { nodeName: true } });
    const snapshot = JSON.stringify(decoded);
    // The next page, same length, other bytes: written over the first in place.
    const second = body(pods('secnd', 50));
    assert.equal(second.length, first.length);
    buffer.start(second.length);
    buffer.append(second);
    assert.equal(JSON.stringify(decoded), snapshot);
    assert.equal(decoded.items.length, 50);
    assert.equal(decoded.metadata?.continue, 'c');
  });
});
