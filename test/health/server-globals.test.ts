// The health worker lets @hono/node-server replace its thread's global Request/Response with the
// light ones it writes straight to the socket (`ownsGlobals`). This file runs in its own process:
// it checks that the default leaves the globals alone (the main thread's kube and OTel clients
// use them), and that a server owning them answers every kind of request byte for byte alike.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createCheckSet, createHealthApp, pingCheck, startHealthServer } from '../../src/health/index.js';
import { createLogger } from '../../src/log/index.js';
import { probe } from '../support/kubelet.js';

const REQUESTS: ReadonlyArray<{ readonly method: 'GET' | 'HEAD' | 'POST'; readonly path: string }> = [
  { method: 'GET', path: '/livez' },
  { method: 'HEAD', path: '/livez' },
  { method: 'GET', path: '/readyz?verbose' },
  { method: 'HEAD', path: '/readyz' },
  { method: 'GET', path: '/readyz/shutdown' },
  { method: 'GET', path: '/healthz?exclude=shutdown&exclude=nope' },
  { method: 'POST', path: '/livez' },
  { method: 'GET', path: '/metrics' },
  { method: 'GET', path: '/nope' },
  { method: 'GET', path: '/%zz' },
];

async function answers(ownsGlobals: boolean): Promise<unknown[]> {
  const logger = createLogger({ level: 'silent' });
  const livez = createCheckSet('livez');
  const readyz = createCheckSet('readyz');
  livez.add(pingCheck());
  readyz.add(pingCheck());
  readyz.add({ name: 'shutdown', run: () => ({ ok: false, reason: 'shutting down' }) });
  const app = createHealthApp({ livez, readyz, metricsHint: 'metrics are disabled', logger });
  const server = await startHealthServer({ app, host: '127.0.0.1', port: 0, logger, ownsGlobals });
  try {
    const out: unknown[] = [];
    for (const r of REQUESTS) {
      const a = await probe(server.port, r.path, { method: r.method });
      const { date: _date, ...headers } = a.headers;
      out.push({ ...r, status: a.status, body: a.body, headers });
    }
    return out;
  } finally {
    await server.close(1000);
  }
}

describe('startHealthServer and the global Response', () => {
  it('leaves the globals alone by default, and answers the same when it owns them', async () => {
    const original = globalThis.Response;
    const shared = await answers(false);
    assert.equal(globalThis.Response, original, 'a server that does not own the globals must not replace them');
    const owned = await answers(true);
    assert.notEqual(globalThis.Response, original, 'owning the globals takes the light Response');
    assert.deepEqual(owned, shared);
    assert.ok(shared.some((a) => (a as { status: number }).status === 500), 'the set includes a failing probe');
  });
});
