import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
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
});
