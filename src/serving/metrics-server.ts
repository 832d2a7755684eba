import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { AccessFilter } from './access.js';
import { closeHttpServer, listenDualStack } from './listen.js';
import type { TlsSource } from './tls-source.js';

/** Bounds of the metrics listener, so a slow or abusive client cannot eat the descriptors and memory the health thread shares. */
export interface ListenerLimits {
  /** Whole request headers within this, ms. Default 10000. */
  readonly headersTimeoutMs: number;
  /** Whole request within this, ms. Default 30000. */
  readonly requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this, ms. Default 5000. */
  readonly keepAliveTimeoutMs: number;
  /** TLS handshake within this, ms. Default 10000 (Node's is 120000). */
  readonly handshakeTimeoutMs: number;
  /** Open connections; more are closed at once. Default 256. */
  readonly maxConnections: number;
  /** Request line and headers, bytes. Default 16384 (Node's). */
  readonly maxHeaderBytes: number;
  /** Request body, bytes: a scrape has none; more is 413. Default 8192. */
  readonly maxBodyBytes: number;
}

export const DEFAULT_LIMITS: ListenerLimits = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  handshakeTimeoutMs: 10_000,
  maxConnections: 256,
  maxHeaderBytes: 16_384,
  maxBodyBytes: 8_192,
});

export interface SecureOptions {
  readonly source: TlsSource;
  readonly minVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher list; empty for Node's defaults. */
  readonly ciphers: string;
  readonly access: AccessFilter;
}

export interface MetricsServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** URL path served; default `/metrics`. */
  readonly path?: string;
  /** Writes the scrape (the OTel Prometheus exporter's `getMetricsRequestHandler`). */
  readonly handler: (request: IncomingMessage, response: ServerResponse) => void;
  /** HTTPS with bearer-token authentication and authorization; absent: plain HTTP to anyone. */
  readonly secure?: SecureOptions;
  readonly limits?: Partial<ListenerLimits>;
  /** Server and client errors after listening (never thrown). */
  readonly onError: (what: 'server' | 'client', err: unknown) => void;
}

export interface MetricsServer {
  readonly host: string;
  readonly port: number;
  /** Stops accepting, closes idle connections, force-closes the rest after `timeoutMs`. Idempotent. */
  close(timeoutMs: number): Promise<void>;
}

/** Listens and serves `path`; rejects with the listen error (EADDRINUSE, ...). */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const path = options.path ?? '/metrics';
  const serve = (req: IncomingMessage, res: ServerResponse): void => void route(req, res, options, path, limits);
  const server = createListener(options.secure, limits, serve);
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  const bound = await listenDualStack(server, options.host, options.port);
  server.on('error', (err) => options.onError('server', err));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    options.onError('client', err);
    // Node's own answers, which a listener replaces: 431 for oversized headers, 408 for timeouts, else 400.
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  });
  // A plaintext or TLS 1.1 client on the TLS port ends here: the handshake fails and the socket closes.
  server.on('tlsClientError', (err: Error) => options.onError('client', err));
  let closing: Promise<void> | undefined;
  return { ...bound, close: (timeoutMs) => (closing ??= closeHttpServer(server, timeoutMs)) };
}

function createListener(secure: SecureOptions | undefined, limits: ListenerLimits, serve: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const http = { maxHeaderSize: limits.maxHeaderBytes, connectionsCheckingInterval: 1_000 };
  if (secure === undefined) return createHttpServer(http, serve);
  const tls = (pair: { cert: string; key: string }) => ({ ...pair, minVersion: secure.minVersion, ...(secure.ciphers === '' ? {} : { ciphers: secure.ciphers }) });
  const server = createHttpsServer({ ...http, ...tls(secure.source.current()), handshakeTimeout: limits.handshakeTimeoutMs }, serve);
  // New connections get the new pair; open ones finish on the old one.
  secure.source.onChange((pair) => server.setSecureContext(tls(pair)));
  return server;
}

async function route(req: IncomingMessage, res: ServerResponse, options: MetricsServerOptions, path: string, limits: ListenerLimits): Promise<void> {
  if (!bodyWithinCap(req, res, limits.maxBodyBytes)) return;
  const pathname = pathOf(req.url);
  if (pathname !== path) {
    res.statusCode = 404;
    res.end();
    return;
  }
  if (options.secure !== undefined) {
    const outcome = await options.secure.access.check(req.headers.authorization, req.method ?? 'GET', pathname);
    if (outcome.kind === 'refuse') {
      // As Go's http.Error writes it, which controller-runtime's filter uses.
      res.writeHead(outcome.status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(outcome.body);
      return;
    }
  }
  if (res.destroyed) return;
  options.handler(req, res);
}

function pathOf(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '/', 'http://metrics.invalid').pathname;
  } catch {
    return undefined;
  }
}

/** A scrape has no body: a declared or streamed one past the cap is 413 and the connection closes. */
function bodyWithinCap(req: IncomingMessage, res: ServerResponse, cap: number): boolean {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared <= cap) {
    let seen = 0;
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > cap) req.socket.destroy();
    });
    return true;
  }
  res.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
  res.end('request body too large\n');
  return false;
}

