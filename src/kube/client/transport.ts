import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { PageBuffer } from './page-buffer.js';

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
/**
 * client-node caches one agent per cluster and user, but builds it without keep-alive, so every
 * request would open a new TCP (and TLS) connection: at thousands of writes per second that
 * cost is most of the controller's CPU. We keep one keep-alive twin per such agent, with the
 * same TLS material. Proxy agents are used as they are.
 */
function withKeepAlive(agent: unknown, twins: WeakMap<object, HttpAgent>): unknown {
  if (!(agent instanceof HttpAgent) || (agent.constructor !== HttpAgent && agent.constructor !== HttpsAgent)) return agent;
  let twin = twins.get(agent);
  if (twin === undefined) {
    const options = { ...(agent as HttpAgent & { options?: object }).options, keepAlive: true };
    twin = agent instanceof HttpsAgent ? new HttpsAgent(options) : new HttpAgent(options);
    twins.set(agent, twin);
  }
  return twin;
}

export function createTransport(kubeconfig: KubeConfig, userAgent = 'kube-ovn-controller'): Transport {
  const twins = new WeakMap<object, HttpAgent>();
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
      options.agent = withKeepAlive(options.agent, twins) as RequestOptions['agent'];
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

/**
 * Resolves when `body` ends, handing each chunk to `onChunk` (none: the chunks are dropped).
 * Listeners, not `for await`: an async iterator per response (two per pod) was a visible share
 * of the client's CPU in a burst. Rejects when the body errors or closes before its end (an
 * aborted or reset response).
 */
function untilEnd(body: IncomingMessage, onChunk?: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let ended = false;
    body.once('end', () => {
      ended = true;
      resolve();
    });
    body.once('error', reject);
    body.once('close', () => {
      if (!ended) reject(new Error('response closed before its end'));
    });
    if (onChunk === undefined) body.resume();
    else body.on('data', onChunk);
  });
}

/** Reads a body to its end, keeping nothing; rejects as `readText` does. */
export function drain(body: IncomingMessage): Promise<void> {
  return untilEnd(body);
}

/** Reads a whole (non-streaming) body as bytes; `into`: into that reused buffer, as a view of it. */
export async function readBytes(body: IncomingMessage, into?: PageBuffer): Promise<Buffer> {
  if (into !== undefined) {
    const declared = Number(body.headers['content-length']);
    into.start(Number.isSafeInteger(declared) && declared > 0 ? declared : undefined);
    await untilEnd(body, (chunk) => into.append(chunk));
    return into.view();
  }
  const chunks: Buffer[] = [];
  await untilEnd(body, (chunk) => chunks.push(chunk));
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/** Reads a whole (non-streaming) body as UTF-8 text. */
export async function readText(body: IncomingMessage): Promise<string> {
  return (await readBytes(body)).toString('utf8');
}
