import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { openWatch, pod, setup } from './helpers.js';

const PODS = '/api/v1/namespaces/default/pods';

function meta(obj: Record<string, unknown>): Record<string, unknown> {
  return obj['metadata'] as Record<string, unknown>;
}

describe('watch protocol', () => {
  it('sends synthetic ADDED for current objects when resourceVersion is unset, then live changes', async () => {
    const h = await setup();
    try {
      await h.call('POST', PODS, pod('a'));
      const w = await openWatch(`${h.server.url}${PODS}?watch=true`);
      const [first] = await w.next();
      assert.equal(first?.type, 'ADDED');
      assert.equal(first?.object['kind'], 'Pod');
      assert.equal(first?.object['apiVersion'], 'v1');
      await h.call('POST', PODS, pod('b'));
      const [second] = await w.next();
      assert.equal(second?.type, 'ADDED');
      assert.equal(meta(second?.object ?? {})['name'], 'b');
      w.close();
    } finally {
      await h.close();
    }
  });

  it('replays only changes after resourceVersion N and serves DELETED with the last state and the delete RV', async () => {
    const h = await setup();
    try {
      const created = await h.call('POST', PODS, pod('a', { labels: { v: '1' } }));
      const rv = String(meta(created.json)['resourceVersion']);
      await h.call('PATCH', `${PODS}/a`, { metadata: { labels: { v: '2' } } }, 'application/merge-patch+json');
      const del = await h.call('DELETE', `${PODS}/a`);
      const w = await openWatch(`${h.server.url}${PODS}?watch=1&resourceVersion=${rv}`);
      const [mod, gone] = await w.next(2);
      assert.equal(mod?.type, 'MODIFIED');
      assert.equal(gone?.type, 'DELETED');
      assert.deepEqual(meta(gone?.object ?? {})['labels'], { v: '2' });
      assert.equal(meta(gone?.object ?? {})['resourceVersion'], meta(del.json)['resourceVersion']);
      assert.equal(Number(meta(del.json)['resourceVersion']), Number(rv) + 2);
      w.close();
    } finally {
      await h.close();
    }
  });

  it('answers an in-band 410 Expired ERROR when N is older than the kept history', async () => {
    const h = await setup({ historyLimit: 3 });
    try {
      const start = h.server.resourceVersion();
      for (const name of ['a', 'b', 'c', 'd', 'e']) await h.call('POST', PODS, pod(name));
      const w = await openWatch(`${h.server.url}${PODS}?watch=true&resourceVersion=${start}`);
      const [err] = await w.next();
      assert.deepEqual(err, {
        type: 'ERROR',
        object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${start} (${h.server.resourceVersion()})`, reason: 'Expired', code: 410 },
      });
      assert.equal(await w.ended, true);
    } finally {
      await h.close();
    }
  });

  it('expires every older resourceVersion after a compaction fault', async () => {
    const h = await setup();
    try {
      const created = await h.call('POST', PODS, pod('a'));
      await h.call('POST', PODS, pod('b'));
      h.server.faults.compactHistory();
      const w = await openWatch(`${h.server.url}${PODS}?watch=true&resourceVersion=${String(meta(created.json)['resourceVersion'])}`);
      const [err] = await w.next();
      assert.equal(err?.type, 'ERROR');
      assert.equal(err?.object['code'], 410);
    } finally {
      await h.close();
    }
  });

  it('turns selector transitions into ADDED and DELETED for a filtered watcher', async () => {
    const h = await setup();
    try {
      await h.call('POST', PODS, pod('a', { labels: { app: 'x' } }));
      const w = await openWatch(`${h.server.url}${PODS}?watch=true&resourceVersion=${h.server.resourceVersion()}&labelSelector=app%3Dweb`);
      const merge = 'application/merge-patch+json';
      await h.call('PATCH', `${PODS}/a`, { metadata: { labels: { app: 'web' } } }, merge);
      await h.call('PATCH', `${PODS}/a`, { metadata: { annotations: { n: '1' } } }, merge);
      await h.call('PATCH', `${PODS}/a`, { metadata: { labels: { app: 'db' } } }, merge);
      const events = await w.next(3);
      assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
      const last = events[2]?.object ?? {};
      assert.deepEqual(meta(last)['labels'], { app: 'web' }, 'DELETED carries the last matching state');
      assert.equal(meta(last)['resourceVersion'], String(h.server.resourceVersion()), 'with the RV of the change');
      w.close();
    } finally {
      await h.close();
    }
  });

  it('sends BOOKMARKs with only kind, apiVersion and resourceVersion when allowed', async () => {
    const h = await setup({ bookmarkIntervalMs: 50 });
    try {
      const rv = h.server.resourceVersion();
      const w = await openWatch(`${h.server.url}${PODS}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`);
      const [b] = await w.next();
      assert.deepEqual(b, { type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(rv) } } });
      w.close();
    } finally {
      await h.close();
    }
  });

  it('ends the stream cleanly after timeoutSeconds', async () => {
    const h = await setup();
    try {
      const started = Date.now();
      const w = await openWatch(`${h.server.url}${PODS}?watch=true&resourceVersion=${h.server.resourceVersion()}&timeoutSeconds=1`);
      assert.equal(await w.ended, true);
      assert.ok(Date.now() - started >= 900);
    } finally {
      await h.close();
    }
  });

  it('drops every open watch abruptly on the drop-watches fault (also over HTTP)', async () => {
    const h = await setup();
    try {
      const url = `${h.server.url}${PODS}?watch=true&resourceVersion=${h.server.resourceVersion()}`;
      const w1 = await openWatch(url);
      assert.equal(h.server.faults.dropWatches(), 1);
      assert.equal(await w1.ended, false, 'an abrupt close is an error for the reader');
      const w2 = await openWatch(url);
      const res = await h.call('POST', '/_test/faults/drop-watches');
      assert.deepEqual(res.json, { dropped: 1 });
      assert.equal(await w2.ended, false);
      assert.equal(h.server.stats().watches, 2);
    } finally {
      await h.close();
    }
  });

  it('serves a watch across all namespaces and filters by field selector', async () => {
    const h = await setup();
    try {
      await h.call('POST', '/api/v1/namespaces', { metadata: { name: 'other' } });
      const w = await openWatch(`${h.server.url}/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3Dn1`);
      await h.call('POST', PODS, pod('a', { nodeName: 'n2' }));
      await h.call('POST', '/api/v1/namespaces/other/pods', pod('b', { nodeName: 'n1' }));
      const [e] = await w.next();
      assert.equal(meta(e?.object ?? {})['namespace'], 'other');
      assert.equal(w.pending(), 0);
      w.close();
    } finally {
      await h.close();
    }
  });
});
