import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { decodeWatch, parseWatchLine, WatchInactivityError } from '../../../src/kube/client/index.js';
import type { WatchEvent } from '../../../src/kube/client/index.js';

function setup(inactivityMs = 0) {
  const body = new PassThrough();
  const stream = decodeWatch(body, inactivityMs);
  const seen: WatchEvent[] = [];
  const done = (async () => {
    for await (const event of stream) seen.push(event);
  })();
  return { body, stream, seen, done };
}

const line = (type: string, rv: string, name = 'p1') => JSON.stringify({ type, object: { kind: 'Pod', metadata: { name, resourceVersion: rv, creationTimestamp: '2026-01-02T03:04:05Z' } } }) + '\n';

describe('decodeWatch', () => {
  it('splits events that span chunks and chunks that hold several events', async () => {
    const { body, seen, done } = setup();
    const text = line('ADDED', '1') + line('MODIFIED', '2') + line('BOOKMARK', '3');
    body.write(text.slice(0, 10));
    body.write(text.slice(10, 150));
    body.end(text.slice(150));
    await done;
    assert.deepEqual(seen.map((e) => [e.type, e.object.metadata.resourceVersion]), [['ADDED', '1'], ['MODIFIED', '2'], ['BOOKMARK', '3']]);
    assert.equal(typeof seen[0]?.object.metadata.creationTimestamp, 'string');
  });

  it('keeps a multi-byte character split across chunks intact', async () => {
    const { body, seen, done } = setup();
    const bytes = Buffer.from(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'ü-pod' } } }) + '\n');
    const cut = bytes.indexOf(0xc3) + 1;
    body.write(bytes.subarray(0, cut));
    body.end(bytes.subarray(cut));
    await done;
    assert.equal(seen[0]?.object.metadata.name, 'ü-pod');
  });

  it('fails on a malformed line so the caller reconnects', async () => {
    const { body, done } = setup();
    body.end('{"type":"ADDED","object":{"metadata":{}}}\nnot json\n');
    await assert.rejects(done, /malformed watch event/);
  });

  it('ends with WatchInactivityError when nothing arrives for the timeout', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const { body, seen, done } = setup(5000);
      body.write(line('ADDED', '1'));
      await new Promise<void>((resolve) => setImmediate(resolve));
      mock.timers.tick(4999);
      assert.equal(body.destroyed, false);
      mock.timers.tick(1);
      await assert.rejects(done, WatchInactivityError);
      assert.equal(seen.length, 1);
    } finally {
      mock.timers.reset();
    }
  });

  it('rejects lines that are not watch events', () => {
    assert.throws(() => parseWatchLine('{"type":"SOMETHING","object":{}}'), /malformed/);
    assert.throws(() => parseWatchLine('{"type":"ADDED"}'), /malformed/);
  });

  it('gives the same events however the bytes are cut into chunks, whole or decoded to fields', async () => {
    const fields = { metadata: { name: true, resourceVersion: true }, spec: { nodeName: true } } as const;
    const events = [
      { type: 'ADDED', object: { kind: 'Pod', metadata: { name: 'ü-1', resourceVersion: '1', managedFields: [{ m: 'a"}\\' }] }, spec: { nodeName: 'n1', containers: [{ name: 'c' }] } } },
      { type: 'MODIFIED', object: { metadata: { name: 'p-2', resourceVersion: '2' }, spec: null, status: { phase: '日本' } } },
      { type: 'BOOKMARK', object: { metadata: { resourceVersion: '3', annotations: { 'k8s.io/initial-events-end': 'true' } } } },
      { type: 'ERROR', object: { kind: 'Status', status: 'Failure', code: 410, reason: 'Expired', message: 'too old' } },
    ];
    const bytes = Buffer.from(events.map((e, i) => JSON.stringify(e) + (i === 1 ? '\r\n\n' : '\n')).join(''));
    // parseWatchLine gives an object without metadata an empty one (a Status has none).
    const whole = events.map((e) => (e.type === 'ERROR' ? { ...e, object: { ...e.object, metadata: {} } } : e));
    const picked = whole.map((e) => {
      if (e.type === 'ERROR') return e;
      const o = e.object as unknown as Record<string, unknown>;
      const meta = o['metadata'] as Record<string, unknown>;
      const spec = o['spec'];
      return { type: e.type, object: { metadata: Object.fromEntries(Object.entries(meta).filter(([k]) => k === 'name' || k === 'resourceVersion')), ...(spec === undefined ? {} : { spec: spec === null ? null : { nodeName: (spec as Record<string, unknown>)['nodeName'] } }) } };
    });
    const run = async (cuts: number[], withFields: boolean): Promise<unknown[]> => {
      const body = new PassThrough();
      const stream = decodeWatch(body, 0, withFields ? fields : undefined);
      const seen: unknown[] = [];
      const done = (async () => {
        for await (const event of stream) seen.push(event);
      })();
      let at = 0;
      for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
        body.write(bytes.subarray(at, cut));
        at = cut;
      }
      body.end(bytes.subarray(at));
      await done;
      return seen;
    };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), async (cuts) => {
        assert.deepEqual(await run(cuts, false), whole);
        assert.deepEqual(await run(cuts, true), picked);
      }),
      { numRuns: 100 },
    );
  });

  it('decodes a last line without a newline, and fails a malformed line also when decoding to fields', async () => {
    const fields = { metadata: { name: true } } as const;
    const body = new PassThrough();
    const seen: WatchEvent[] = [];
    const stream = decodeWatch(body, 0, fields);
    const done = (async () => {
      for await (const event of stream) seen.push(event);
    })();
    body.end('{"type":"ADDED","object":{"metadata":{"name":"a","uid":"u"}}}\n  \n{"type":"DELETED","object":{"metadata":{"name":"b"}}}');
    await done;
    assert.deepEqual(seen, [{ type: 'ADDED', object: { metadata: { name: 'a' } } }, { type: 'DELETED', object: { metadata: { name: 'b' } } }]);
    for (const bad of ['{"type":"ADDED","object":{"metadata":{}}} x\n', '{"type":"NOPE","object":{"metadata":{}}}\n', '{"type":"ADDED","object":{"metadata":\n']) {
      const b = new PassThrough();
      const s = decodeWatch(b, 0, fields);
      const d = (async () => {
        for await (const _e of s) {
          // drain
        }
      })();
      b.end(bad);
      await assert.rejects(d, /malformed watch event/, bad);
    }
  });
});
