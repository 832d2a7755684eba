// The HTTP layer against a raw node:http server on loopback: bodies cut short must fail, not hang.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { createTransport, readText } from '../../../src/kube/client/index.js';

let server: Server;
let port = 0;

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/whole') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ metadata: { name: 'p' }, data: 'x'.repeat(200_000) }));
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
