// A minimal JSON client over keep-alive HTTP (what a real load generator would hold open)
// and a raw pod watch stream, so allocation completion is seen as it happens, not by polling.
import { Agent, request } from 'node:http';
import type { IncomingMessage } from 'node:http';

export interface HttpJson {
  call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }>;
  close(): void;
}

/** JSON over HTTP/1.1 with at most `maxSockets` keep-alive connections. */
export function httpJson(base: string, maxSockets = 64): HttpJson {
  const url = new URL(base);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const call = <T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string | number> = { Accept: 'application/json' };
      if (payload !== undefined) {
        headers['Content-Type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
        headers['Content-Length'] = Buffer.byteLength(payload);
      }
      const req = request({ host: url.hostname, port: url.port, path, method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T });
          } catch (err) {
            reject(err as Error);
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  return { call, close: () => agent.destroy() };
}

export interface WatchEvent {
  readonly type: string;
  readonly object: { metadata: { name: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string> } };
}

export interface Watch {
  close(): void;
  /** Resolves when the stream ends (closed by either side). */
  readonly ended: Promise<void>;
}

/** Opens `path?watch=1&resourceVersion=rv` and hands each event line to `onEvent`. */
export function watch(base: string, path: string, resourceVersion: string, onEvent: (e: WatchEvent) => void): Promise<Watch> {
  const url = new URL(base);
  const sep = path.includes('?') ? '&' : '?';
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: `${path}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${resourceVersion}`, agent: false },
      (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          reject(new Error(`watch ${path}: HTTP ${res.statusCode}`));
          return;
        }
        let partial = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const lines = (partial + chunk).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) if (line !== '') onEvent(JSON.parse(line) as WatchEvent);
        });
        const ended = new Promise<void>((done) => {
          res.on('end', done);
          res.on('close', done);
          res.on('error', () => done());
        });
        resolve({ close: () => req.destroy(), ended });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
