import { strict as assert } from 'node:assert';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { createCheckSet, createHealthApp, pingCheck, startHealthServer } from '../../src/health/index.js';
import { createLogger } from '../../src/log/index.js';
import { probe } from '../support/kubelet.js';
import { occupyPort } from '../support/ports.js';

const HOST = '127.0.0.1';

async function setup(port = 0) {
  const logger = createLogger({ level: 'silent' });
  const livez = createCheckSet('livez');
  const readyz = createCheckSet('readyz');
  livez.add(pingCheck());
  readyz.add(pingCheck());
  const app = createHealthApp({ livez, readyz, metricsHint: 'metrics are disabled', logger });
  const server = await startHealthServer({ app, host: HOST, port, logger });
  return { server, readyz, logger, app };
}

/** A keep-alive GET that leaves its socket open and idle in the agent afterwards. */
function keepAliveGet(port: number, agent: Agent): Promise<{ status: number; reused: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: HOST, port, path: '/livez', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function timed(p: Promise<void>): Promise<number> {
  const started = performance.now();
  await p;
  return performance.now() - started;
}

describe('startHealthServer', () => {
  it('answers a kubelet-style probe on a real socket', async () => {
    const { server, readyz } = await setup();
    try {
      assert.ok(server.port > 0);
      const live = await probe(server.port, '/livez');
      assert.deepEqual([live.status, live.body], [200, 'ok']);
      assert.equal(live.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(live.headers['x-content-type-options'], 'nosniff');
      assert.equal(live.headers['cache-control'], 'no-cache, private');
      assert.equal(live.headers.connection, 'close');
      assert.ok(live.ms < 1000, `probe took ${live.ms}ms`);
      readyz.add({ name: 'shutdown', run: () => ({ ok: false, reason: 'shutting down' }) });
      const ready = await probe(server.port, '/readyz');
      assert.deepEqual([ready.status, ready.body], [500, '[+]ping ok\n[-]shutdown failed: reason withheld\nreadyz check failed\n']);
      const head = await probe(server.port, '/livez', { method: 'HEAD' });
      assert.deepEqual([head.status, head.body, head.headers['content-length']], [200, '', '2']);
    } finally {
      await server.close(1000);
    }
  });

  it('answers within kubelet\'s 1 s even when a check hangs', async () => {
    const { server, readyz } = await setup();
    try {
      readyz.add({ name: 'hangs', run: () => new Promise(() => {}) });
      const res = await probe(server.port, '/readyz/hangs');
      assert.deepEqual([res.status, res.body], [500, 'internal server error: timed out after 500ms\n']);
      assert.ok(res.ms < 900, `probe took ${res.ms}ms`);
    } finally {
      await server.close(1000);
    }
  });

  it('rejects with a clear message when the port is in use', async () => {
    const first = await setup();
    try {
      await assert.rejects(setup(first.server.port), (err: Error) => {
        assert.match(err.message, new RegExp(`health server cannot listen on 127\\.0\\.0\\.1:${first.server.port}: address already in use \\(EADDRINUSE\\)`));
        assert.equal((err.cause as NodeJS.ErrnoException).code, 'EADDRINUSE');
        return true;
      });
    } finally {
      await first.server.close(1000);
    }
  });

  it('rejects when another process holds the port', async () => {
    const held = await setup();
    const port = held.server.port;
    await held.server.close(1000);
    const release = await occupyPort(port);
    try {
      await assert.rejects(setup(port), /EADDRINUSE/);
    } finally {
      await release();
    }
  });

  it('closes promptly while a client holds an idle keep-alive connection', async () => {
    const { server } = await setup();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const res = await keepAliveGet(server.port, agent);
      assert.equal(res.status, 200);
      assert.equal(res.reused, 'keep-alive');
      const ms = await timed(server.close(5000));
      assert.ok(ms < 1000, `close took ${ms}ms with an idle keep-alive socket`);
      await assert.rejects(probe(server.port, '/livez'), /ECONNREFUSED/);
    } finally {
      agent.destroy();
    }
  });

  it('force-closes a connection stuck mid-request at the timeout', async () => {
    const { server } = await setup();
    const socket = connect(server.port, HOST);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    socket.write('GET /livez HTTP/1.1\r\nHost: x\r\n');
    const ms = await timed(server.close(200));
    assert.ok(ms >= 150 && ms < 2000, `close took ${ms}ms, expected about 200ms`);
    await closed;
  });

  it('is idempotent: a second close shares the first', async () => {
    const { server } = await setup();
    const a = server.close(1000);
    const b = server.close(1000);
    assert.equal(a, b);
    await a;
    await server.close(1000);
  });
});
