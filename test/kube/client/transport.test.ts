// The HTTP layer against a raw node:http server on loopback: bodies cut short must fail, not hang.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { createTransport, PageBuffer, readText } from '../../../src/kube/client/index.js';
import { readBytes } from '../../../src/kube/client/transport.js';

let server: Server;
let port = 0;

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/whole') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ metadata: { name: 'p' }, data: 'x'.repeat(200_000) }));
      return;
    }
    if (req.url?.startsWith('/chunked/') === true) {
      // No Content-Length: chunked transfer in pieces of 10,000, as a real API server sends a large list.
      const text = 'y'.repeat(Number(req.url.slice('/chunked/'.length)));
      for (let i = 0; i < text.length; i += 10_000) res.write(text.slice(i, i + 10_000));
      res.end();
      return;
    }
    // Promises 1,000 bytes, sends 10, then resets the connection.
    res.writeHead(200, { 'Content-Length': '1000' });
    res.write('{"partial"');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function transport() {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  return createTransport(kc);
}

describe('readText', () => {
  it('reads a body of many chunks whole', async () => {
    const res = await transport().send({ method: 'GET', path: '/whole' });
    const parsed = JSON.parse(await readText(res.body)) as { data: string };
    assert.equal(parsed.data.length, 200_000);
  });

  it('rejects a body the server cuts short, instead of waiting for an end that never comes', async () => {
    const res = await transport().send({ method: 'GET', path: '/cut' });
    assert.equal(res.status, 200);
    await assert.rejects(readText(res.body), (err: Error) => /aborted|closed before its end|ECONNRESET/.test(`${err.message} ${(err as NodeJS.ErrnoException).code ?? ''}`));
  });
});

describe('readBytes into a PageBuffer', () => {
  it('reads bodies with and without a Content-Length into one buffer, each exactly, shorter after longer', async () => {
    const buffer = new PageBuffer();
    const whole = await readBytes((await transport().send({ method: 'GET', path: '/whole' })).body, buffer);
    assert.equal((JSON.parse(whole.toString('utf8')) as { data: string }).data.length, 200_000);
    for (const n of [300_000, 25_000, 0, 120_001]) {
      const bytes = await readBytes((await transport().send({ method: 'GET', path: `/chunked/${n}` })).body, buffer);
      assert.equal(bytes.length, n);
      assert.ok(bytes.every((b) => b === 0x79), `body of ${n} bytes is its own, with nothing of the one before`);
    }
  });

  it('rejects a body the server cuts short, as without a buffer', async () => {
    const res = await transport().send({ method: 'GET', path: '/cut' });
    await assert.rejects(readBytes(res.body, new PageBuffer()), (err: Error) => /aborted|closed before its end|ECONNRESET/.test(`${err.message} ${(err as NodeJS.ErrnoException).code ?? ''}`));
  });
});
