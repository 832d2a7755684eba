import { request } from 'node:https';
import type { PeerCertificate } from 'node:tls';

export interface HttpsAnswer {
  readonly status: number;
  readonly body: string;
  readonly cert: PeerCertificate;
}

/**
 * One GET over HTTPS on a fresh connection (no keep-alive), the server certificate not verified
 * unless `ca` is given; `token` goes in `Authorization: Bearer`. Rejects on TLS or socket errors.
 */
export function httpsGet(port: number, path: string, options: { token?: string; host?: string; ca?: string; servername?: string; timeoutMs?: number } = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.host ?? '127.0.0.1',
        port,
        path,
        agent: false,
        rejectUnauthorized: options.ca !== undefined,
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        ...(options.servername === undefined ? {} : { servername: options.servername }),
        headers: options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` },
        timeout: options.timeoutMs ?? 5000,
      },
      (res) => {
        const cert = res.socket && 'getPeerCertificate' in res.socket ? (res.socket as unknown as { getPeerCertificate(): PeerCertificate }).getPeerCertificate() : ({} as PeerCertificate);
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cert }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
