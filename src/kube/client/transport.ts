import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** One HTTP exchange with the API server. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path plus query string, e.g. `/api/v1/pods?limit=500`. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body as a stream; the caller must consume or destroy it. */
  readonly body: IncomingMessage;
}

/** Sends requests to the kubeconfig's current cluster; resolves at response headers. */
export interface Transport {
  /** `host[:port]` of the server, the `host` label of the rest client metrics. */
  readonly host: string;
  send(request: HttpRequest): Promise<HttpResponse>;
}

/**
 * The HTTP layer on `node:http(s)`, with server, TLS material, credentials and agent taken
 * from client-node's `KubeConfig.applyToHTTPSOptions` (re-applied per request so exec and
 * token-file credentials refresh). We do not use client-node's generated APIs or `Watch`:
 * they deserialise timestamps into `Date`, and its informer stops for good on errors.
 */
export function createTransport(kubeconfig: KubeConfig, userAgent = 'kube-ovn-controller'): Transport {
  const cluster = kubeconfig.getCurrentCluster();
  if (cluster === null) throw new Error('kubeconfig: no current cluster (set current-context or pass --kubeconfig)');
  const server = new URL(cluster.server);
  const prefix = server.pathname.replace(/\/+$/, '');
  const secure = server.protocol === 'https:';
  return {
    host: server.host,
    async send(request) {
      const options: RequestOptions = { headers: {} };
      await kubeconfig.applyToHTTPSOptions(options);
      const url = new URL(`${prefix}${request.path}`, server);
      const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': userAgent, ...(options.headers as Record<string, string>), ...request.headers };
      if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body));
      const send = secure ? httpsRequest : httpRequest;
      return new Promise<HttpResponse>((resolve, reject) => {
        const req = send(url, { ...options, method: request.method, headers, signal: request.signal }, (res) => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
        });
        req.once('error', reject);
        req.end(request.body);
      });
    },
  };
}

/** Reads a whole (non-streaming) body as UTF-8 text. */
export async function readText(body: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
