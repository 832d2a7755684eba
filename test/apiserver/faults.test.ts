import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { setup } from './helpers.js';

const PODS = '/api/v1/namespaces/default/pods';

describe('fault injection', () => {
  it('fails the next N matching requests with 500, then serves normally', async () => {
    const h = await setup();
    try {
      h.server.faults.failNext(2, { method: 'GET', pathPrefix: '/api/v1/namespaces/default/pods' });
      assert.equal((await h.call('GET', '/api/v1/namespaces')).status, 200, 'non-matching paths pass');
      const first = await h.call('GET', PODS);
      assert.equal(first.status, 500);
      assert.equal(first.json['reason'], 'InternalError');
      assert.equal((await h.call('GET', PODS)).status, 500);
      assert.equal((await h.call('GET', PODS)).status, 200);
    } finally {
      await h.close();
    }
  });

  it('answers 429 with Retry-After, configured over the HTTP control API', async () => {
    const h = await setup();
    try {
      const ctl = await h.call('POST', '/_test/faults/fail-next', { count: 1, status: 429, retryAfterSeconds: 7 });
      assert.equal(ctl.status, 200);
      const res = await h.call('GET', PODS);
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '7');
      assert.equal(res.json['reason'], 'TooManyRequests');
      assert.deepEqual(res.json['details'], { retryAfterSeconds: 7 });
    } finally {
      await h.close();
    }
  });

  it('adds latency to responses until reset', async () => {
    const h = await setup();
    try {
      // A latency far above what a loaded 2-core CI box adds by itself, so both sides are clear.
      h.server.faults.setLatency(1000);
      const t0 = Date.now();
      await h.call('GET', '/version');
      assert.ok(Date.now() - t0 >= 990);
      await h.call('POST', '/_test/faults/reset');
      const t1 = Date.now();
      await h.call('GET', '/version');
      assert.ok(Date.now() - t1 < 900);
    } finally {
      await h.close();
    }
  });

  it('refuses connections for a while and listens on the same port again', async () => {
    const h = await setup();
    try {
      const back = h.server.faults.refuseConnections(300);
      await new Promise((done) => setTimeout(done, 50));
      await assert.rejects(fetch(`${h.server.url}/version`, { headers: { Connection: 'close' } }));
      await back;
      const res = await fetch(`${h.server.url}/version`);
      assert.equal(res.status, 200);
    } finally {
      await h.close();
    }
  });

  it('counts requests, excluding the control API', async () => {
    const h = await setup();
    try {
      await h.call('GET', '/api');
      await h.call('GET', '/apis');
      const stats = await h.call('GET', '/_test/stats');
      assert.equal(stats.json['requests'], 2);
      assert.deepEqual(h.server.stats(), { requests: 2, watches: 0 });
    } finally {
      await h.close();
    }
  });
});
