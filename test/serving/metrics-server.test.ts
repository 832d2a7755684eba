// Issue 13: the metrics listener itself, on loopback: TLS versions, plaintext on the TLS port,
// certificate names, both address families, and the caps that protect the health thread.
import { strict as assert } from 'node:assert';
import { connect as netConnect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions, PeerCertificate } from 'node:tls';
import { describe, it } from 'node:test';
import { createSelfSignedTlsSource, startMetricsServer } from '../../src/serving/index.js';
import type { AccessFilter, KeyPair, ListenerLimits, MetricsServer, TlsSource } from '../../src/serving/index.js';

const NAMES = ['localhost', '127.0.0.1', '::1', 'ctl-host', '10.9.8.7'];
const ALLOW: AccessFilter = {
  check: async (authorization) =>
    authorization === 'Bearer good' ? { kind: 'allow', user: 'prom' } : { kind: 'refuse', status: 401, body: 'Unauthorized\n' },
};

/** A source whose pair the test replaces with `rotate`, as a file reload would. */
async function testSource(names: readonly string[]): Promise<TlsSource & { rotate(pair: KeyPair): void }> {
  let pair = (await createSelfSignedTlsSource({ names, checkIntervalMs: 0, onLoaded: () => {}, onError: () => {} })).current();
  const listeners: Array<(p: KeyPair) => void> = [];
  return {
    current: () => pair,
    onChange: (l) => void listeners.push(l),
    refresh: async () => {},
    stop: () => {},
    rotate: (next) => {
      pair = next;
      for (const l of listeners) l(next);
    },
  };
}

async function setup(options: { secure?: boolean; host?: string; minVersion?: 'TLSv1.2' | 'TLSv1.3'; limits?: Partial<ListenerLimits> } = {}) {
  const source = options.secure === false ? undefined : await testSource(NAMES);
  const errors: unknown[] = [];
  const server: MetricsServer = await startMetricsServer({
    host: options.host ?? '127.0.0.1',
    port: 0,
    handler: (_req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end('up 1\n');
    },
    ...(source === undefined ? {} : { secure: { source, access: ALLOW, minVersion: options.minVersion ?? 'TLSv1.2', ciphers: '' } }),
    onError: (_what, err) => errors.push(err),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  return { server, source, errors, close: () => server.close(100) };
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly cert: PeerCertificate;
  readonly protocol: string | null;
}

/** One HTTPS request over a raw TLS socket, so the TLS options are exactly the test's. */
function httpsGet(port: number, headers: Record<string, string>, tls: ConnectionOptions = {}, path = '/metrics'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...tls }, () => {
      const lines = [`GET ${path} HTTP/1.1`, 'Host: x', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''];
      socket.write(lines.join('\r\n'));
    });
    let raw = '';
    socket.setEncoding('utf8').on('data', (c: string) => (raw += c));
    socket.on('end', () => {
      const [head = '', ...rest] = raw.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0);
      resolve({ status, body: decodeChunked(head, rest.join('\r\n\r\n')), cert: socket.getPeerCertificate(), protocol: socket.getProtocol() });
    });
    socket.on('error', reject);
  });
}

function decodeChunked(head: string, body: string): string {
  if (!/transfer-encoding: chunked/i.test(head)) return body;
  let out = '';
  let rest = body;
  for (;;) {
    const nl = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, nl), 16);
    if (!(size > 0)) return out;
    out += rest.slice(nl + 2, nl + 2 + size);
    rest = rest.slice(nl + 2 + size + 2);
  }
}

function httpGet(host: string, port: number, headers: Record<string, string | number> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port, path: '/metrics', headers, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('the secure metrics listener', () => {
  it('serves the scrape over TLS to an allowed token and answers the filter\'s refusal otherwise', async () => {
    const env = await setup();
    try {
      const ok = await httpsGet(env.server.port, { Authorization: 'Bearer good' });
      assert.deepEqual([ok.status, ok.body], [200, 'up 1\n']);
      const refused = await httpsGet(env.server.port, {});
      assert.deepEqual([refused.status, refused.body], [401, 'Unauthorized\n']);
      assert.equal((await httpsGet(env.server.port, { Authorization: 'Bearer good' }, {}, '/other')).status, 404);
    } finally {
      await env.close();
    }
  });

  it('presents a certificate for localhost, 127.0.0.1, ::1, the host name and the pod IPs', async () => {
    const env = await setup();
    try {
      const { cert } = await httpsGet(env.server.port, {});
      assert.equal(cert.subjectaltname, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:ctl-host, IP Address:10.9.8.7');
      const verified = await httpsGet(env.server.port, {}, { rejectUnauthorized: true, ca: env.source?.current().cert, servername: 'localhost' });
      assert.equal(verified.status, 401, 'a client that trusts the certificate verifies it for localhost');
    } finally {
      await env.close();
    }
  });

  it('refuses plaintext HTTP on the TLS port: no HTTP answer, the connection is closed', async () => {
    const env = await setup();
    try {
      await assert.rejects(httpGet('127.0.0.1', env.server.port), /socket hang up|ECONNRESET|Parse Error/);
    } finally {
      await env.close();
    }
  });

  it('refuses TLS 1.1 at the default minimum (TLS 1.2), and TLS 1.2 at --tls-min-version=VersionTLS13', async () => {
    const env = await setup();
    const strict = await setup({ minVersion: 'TLSv1.3' });
    try {
      await assert.rejects(httpsGet(env.server.port, {}, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }), /protocol|alert|version|ECONNRESET/i);
      assert.equal((await httpsGet(env.server.port, {}, { maxVersion: 'TLSv1.2' })).protocol, 'TLSv1.2');
      await assert.rejects(httpsGet(strict.server.port, {}, { maxVersion: 'TLSv1.2' }), /protocol|alert|version/i);
      assert.equal((await httpsGet(strict.server.port, {})).protocol, 'TLSv1.3');
    } finally {
      await env.close();
      await strict.close();
    }
  });

  it('replaces the certificate for new connections when the source changes, without a restart', async () => {
    const env = await setup();
    try {
      const before = (await httpsGet(env.server.port, {})).cert.fingerprint256;
      const next = await testSource(['rotated.example']);
      env.source?.rotate(next.current());
      const after = (await httpsGet(env.server.port, {})).cert;
      assert.notEqual(after.fingerprint256, before);
      assert.equal(after.subjectaltname, 'DNS:rotated.example');
    } finally {
      await env.close();
    }
  });
});

describe('the metrics listener on any address', () => {
  it('bound to :: answers on 127.0.0.1 and on ::1 (dual stack on loopback)', async () => {
    const env = await setup({ secure: false, host: '::' });
    try {
      assert.equal(env.server.host, '::');
      assert.equal((await httpGet('127.0.0.1', env.server.port)).status, 200);
      assert.equal((await httpGet('::1', env.server.port)).status, 200);
    } finally {
      await env.close();
    }
  });

  it('bound to ::1 answers on IPv6 loopback only', async () => {
    const env = await setup({ secure: false, host: '::1' });
    try {
      assert.equal((await httpGet('::1', env.server.port)).body, 'up 1\n');
      await assert.rejects(httpGet('127.0.0.1', env.server.port), /ECONNREFUSED/);
    } finally {
      await env.close();
    }
  });
});

/** Writes `text` on a fresh connection and resolves with everything read until the server closes it. */
function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1', () => socket.write(text));
    let raw = '';
    socket.setEncoding('utf8').on('data', (c: string) => (raw += c));
    socket.on('close', () => resolve(raw));
    socket.on('error', (err) => (raw === '' ? reject(err) : resolve(raw)));
    socket.setTimeout(3000, () => socket.destroy(new Error('no close within 3 s')));
  });
}

describe('the metrics listener caps', () => {
  it('answers 413 to a request body over the cap and 431 to headers over the cap', async () => {
    const env = await setup({ secure: false, limits: { maxBodyBytes: 1024, maxHeaderBytes: 4096 } });
    try {
      const big = await rawExchange(env.server.port, 'POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
      assert.match(big, /^HTTP\/1\.1 413 /);
      const padded = await rawExchange(env.server.port, `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: ${'x'.repeat(8192)}\r\n\r\n`);
      assert.match(padded, /^HTTP\/1\.1 431 /);
    } finally {
      await env.close();
    }
  });

  it('closes connections beyond the connection cap at once', async () => {
    const env = await setup({ secure: false, limits: { maxConnections: 2 } });
    const sockets = [netConnect(env.server.port, '127.0.0.1'), netConnect(env.server.port, '127.0.0.1')];
    for (const s of sockets) s.on('error', () => {});
    try {
      await Promise.all(sockets.map((s) => new Promise((r) => s.once('connect', r))));
      await new Promise((r) => setTimeout(r, 50));
      const third = netConnect(env.server.port, '127.0.0.1');
      third.resume();
      const closed = await new Promise<boolean>((resolve) => {
        third.once('close', () => resolve(true));
        third.once('error', () => {});
        setTimeout(() => resolve(false), 2000).unref();
      });
      assert.ok(closed, 'the third connection was closed by the server');
    } finally {
      for (const s of sockets) s.destroy();
      await env.close();
    }
  });

  it('drops a client that never finishes its headers (slowloris) after the headers timeout', async () => {
    const env = await setup({ secure: false, limits: { headersTimeoutMs: 300, requestTimeoutMs: 400 } });
    try {
      const socket = netConnect(env.server.port, '127.0.0.1');
      socket.on('error', () => {});
      await new Promise((r) => socket.once('connect', r));
      socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
      socket.resume();
      const started = Date.now();
      await new Promise((r) => socket.once('close', r));
      const ms = Date.now() - started;
      assert.ok(ms < 3000, `closed after ${ms} ms`);
    } finally {
      await env.close();
    }
  });
});
