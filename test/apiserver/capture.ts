import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kubeconfigYaml } from '../support/apiserver/index.js';
import type { Harness } from './helpers.js';

/** One exchange seen by the capturing proxy. */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly requestType: string;
  readonly accept: string;
  readonly requestBody: Buffer;
  readonly status: number;
  readonly responseType: string;
  readonly responseBody: Buffer;
}

export interface Capture {
  /** A kubeconfig pointing kubectl at the proxy. */
  readonly kubeconfig: string;
  readonly exchanges: Exchange[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of the double that records every request and response as
 * bytes: the protobuf tests judge the double by what the real kubectl sends and accepts.
 */
export async function capture(h: Harness): Promise<Capture> {
  const target = new URL(h.server.url);
  const exchanges: Exchange[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const requestBody = Buffer.concat(chunks);
      const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        const out: Buffer[] = [];
        up.on('data', (c: Buffer) => {
          out.push(c);
          res.write(c);
        });
        up.on('end', () => {
          exchanges.push({
            method: req.method ?? '', path: req.url ?? '', requestType: String(req.headers['content-type'] ?? ''), accept: String(req.headers.accept ?? ''),
            requestBody, status: up.statusCode ?? 0, responseType: String(up.headers['content-type'] ?? ''), responseBody: Buffer.concat(out),
          });
          res.end();
        });
        res.writeHead(up.statusCode ?? 502, up.headers);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(requestBody);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const kubeconfig = join(h.dir, 'capture-kubeconfig');
  await writeFile(kubeconfig, kubeconfigYaml(`http://127.0.0.1:${port}`));
  return {
    kubeconfig,
    exchanges,
    close: () => new Promise((done) => {
      server.close(() => done());
      server.closeAllConnections();
    }),
  };
}
