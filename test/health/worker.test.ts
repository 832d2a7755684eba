import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createCheckSet, createHealthApp, createShutdownCheck, pingCheck, startHealthServer, startHealthWorker } from '../../src/health/index.js';
import type { CheckResult, HealthWorkerOptions } from '../../src/health/index.js';
import { createLogger } from '../../src/log/index.js';
import { eventually, probe } from '../support/kubelet.js';
import type { ProbeOptions } from '../support/kubelet.js';

const HOST = '127.0.0.1';
const HINT = 'metrics are served at :9464/metrics';
const EXTRA = { extraLivenessPaths: ['/live'], extraReadinessPaths: ['/ready'] };

async function setup(overrides: Partial<HealthWorkerOptions> = {}) {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) } });
  const livez = createCheckSet('livez');
  const readyz = createCheckSet('readyz');
  const shutdown = createShutdownCheck();
  livez.add(pingCheck());
  livez.add({ name: 'event-loop', run: () => ({ ok: true }) });
  readyz.add(pingCheck());
  readyz.add(shutdown.check);
  const worker = await startHealthWorker({ host: HOST, port: 0, livez, readyz, metricsHint: HINT, logger, staleAfterMs: 5000, ...EXTRA, ...overrides });
  await worker.publishNow();
  return { worker, livez, readyz, shutdown, logger, logs };
}

const REQUESTS: { path: string; method?: ProbeOptions['method'] }[] = [
  { path: '/livez' }, { path: '/readyz' }, { path: '/healthz' }, { path: '/live' }, { path: '/ready' },
  { path: '/livez?verbose' }, { path: '/readyz?verbose' }, { path: '/healthz?verbose=false' },
  { path: '/readyz?exclude=informer-sync&verbose' }, { path: '/readyz?exclude=nope&exclude=%22x%22' },
  { path: '/livez/ping' }, { path: '/livez/event-loop' }, { path: '/readyz/informer-sync' }, { path: '/ready/informer-sync' },
  { path: '/livez/nope' }, { path: '/readyz/' }, { path: '/metrics' }, { path: '/other' }, { path: '/%zz' },
  { path: '/livez', method: 'HEAD' }, { path: '/readyz', method: 'HEAD' }, { path: '/livez', method: 'POST' },
  { path: '/readyz/ping', method: 'POST' }, { path: '/metrics', method: 'POST' },
];

/** Status, headers (without `date`) and body: the bytes a client sees, minus the clock. */
async function wire(port: number, path: string, method: ProbeOptions['method']) {
  const res = await probe(port, path, method === undefined ? {} : { method });
  const { date: _date, ...headers } = res.headers;
  return { status: res.status, headers, body: res.body };
}

describe('startHealthWorker', () => {
  it('answers the same bytes as the in-process server for every kind of request', async () => {
    const { worker, livez, readyz, logger } = await setup();
    const failing: CheckResult = { ok: false, reason: '2 informers not synced' };
    readyz.add({ name: 'informer-sync', run: () => failing });
    await worker.publishNow();
    const app = createHealthApp({ livez, readyz, metricsHint: HINT, logger, ...EXTRA });
    const inProcess = await startHealthServer({ app, host: HOST, port: 0, logger });
    try {
      for (const { path, method } of REQUESTS) {
        const expected = await wire(inProcess.port, path, method);
        assert.deepEqual(await wire(worker.port, path, method), expected, `${method ?? 'GET'} ${path}`);
      }
    } finally {
      await Promise.all([worker.close(1000), inProcess.close(1000)]);
    }
  });

  it('serves a check added after start, and logs its reason through the main logger', async () => {
    const { worker, readyz, logs } = await setup();
    try {
      readyz.add({ name: 'ipam-init', run: () => ({ ok: false, reason: 'subnets not loaded' }) });
      await worker.publishNow();
      const res = await probe(worker.port, '/readyz/ipam-init');
      assert.deepEqual([res.status, res.body], [500, 'internal server error: subnets not loaded\n']);
      await eventually(() => logs.some((l) => l.check === 'ipam-init' && l.reason === 'subnets not loaded' && l.level === 'warn'), 2000, 'the failure logged');
    } finally {
      await worker.close(1000);
    }
  });

  it('fails readiness at once after begin() and publishNow(), leaving liveness alone', async () => {
    const { worker, shutdown } = await setup({ publishIntervalMs: 60_000 });
    try {
      assert.equal((await probe(worker.port, '/readyz')).status, 200);
      shutdown.begin();
      await worker.publishNow();
      const ready = await probe(worker.port, '/readyz');
      assert.deepEqual([ready.status, ready.body], [500, '[+]ping ok\n[-]shutdown failed: reason withheld\nreadyz check failed\n']);
      assert.equal((await probe(worker.port, '/readyz/shutdown')).body, 'internal server error: shutting down\n');
      assert.equal((await probe(worker.port, '/livez')).status, 200);
    } finally {
      await worker.close(1000);
    }
  });

  it('fails liveness event-loop and readiness when the main thread stops reporting, and recovers', async () => {
    // One publish at start, then none for a minute: the main thread has gone silent.
    const { worker } = await setup({ publishIntervalMs: 60_000, staleAfterMs: 200 });
    try {
      await eventually(async () => (await probe(worker.port, '/livez')).status === 500, 3000, 'livez failing');
      const loop = await probe(worker.port, '/livez/event-loop');
      assert.equal(loop.status, 500);
      assert.match(loop.body, /^internal server error: main thread has not reported for \d+ms\n$/);
      assert.equal((await probe(worker.port, '/readyz')).status, 500);
      assert.equal((await probe(worker.port, '/livez/ping')).status, 200);
      await worker.publishNow();
      assert.equal((await probe(worker.port, '/livez')).status, 200);
    } finally {
      await worker.close(1000);
    }
  });

  it('rejects with a clear message when the port is in use', async () => {
    const first = await setup();
    try {
      await assert.rejects(setup({ port: first.worker.port }), (err: Error) => {
        assert.match(err.message, new RegExp(`health server cannot listen on 127\\.0\\.0\\.1:${first.worker.port}: address already in use \\(EADDRINUSE\\)`));
        assert.equal((err.cause as NodeJS.ErrnoException).code, 'EADDRINUSE');
        return true;
      });
    } finally {
      await first.worker.close(1000);
    }
  });

  it('closes idempotently, stops listening and terminates the thread', async () => {
    const { worker, logs } = await setup();
    const a = worker.close(1000);
    const b = worker.close(1000);
    assert.equal(a, b);
    await a;
    assert.equal(typeof (await worker.exited), 'number');
    await assert.rejects(probe(worker.port, '/livez'), /ECONNREFUSED/);
    await worker.close(1000);
    await worker.publishNow();
    assert.ok(!logs.some((l) => l.level === 'error'), 'no error logged for an orderly close');
  });
});

describe('startHealthWorker options', () => {
  const cases = [
    { what: 'a non-positive publish interval', overrides: { publishIntervalMs: 0 }, message: /publishIntervalMs must be > 0, got 0/ },
    { what: 'a non-positive staleness bound', overrides: { staleAfterMs: -1 }, message: /staleAfterMs must be > 0, got -1/ },
    { what: 'a path claimed by both probes', overrides: { extraLivenessPaths: ['/readyz'] }, message: /health worker failed to start: health path `\/readyz` is claimed by both readyz and livez/ },
  ];
  for (const { what, overrides, message } of cases) {
    it(`rejects ${what} with a clear message`, async () => {
      await assert.rejects(setup(overrides), message);
    });
  }
});
