import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { until } from './poll.js';

export interface ProbeResult {
  readonly status: number;
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
  /** Wall time from request to full body, ms. */
  readonly ms: number;
}

export interface ProbeOptions {
  method?: 'GET' | 'HEAD' | 'POST';
  /** kubelet's default probe timeout is 1 s. */
  timeoutMs?: number;
  host?: string;
}

/**
 * Probes like kubelet's HTTP prober: a fresh connection per probe (no keep-alive),
 * `User-Agent: kube-probe/1.32`, `Accept: *\/*`, a 1 s timeout. Rejects on timeout.
 */
export async function probe(port: number, path: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.host ?? '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        agent: false,
        headers: { 'User-Agent': 'kube-probe/1.32', Accept: '*/*', Connection: 'close' },
        timeout: options.timeoutMs ?? 1000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers, ms: performance.now() - started }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`probe ${path} timed out after ${options.timeoutMs ?? 1000}ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** `until` (test/support/poll.ts) in the argument order the probe tests read best: bound first. */
export async function eventually(fn: () => boolean | Promise<boolean>, timeoutMs: number, what: string, stepMs = 50): Promise<void> {
  await until(fn, what, timeoutMs, stepMs);
}
