import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from '../log/index.js';
import { closeHttpServer, listenDualStack } from '../serving/listen.js';

export interface HealthServerOptions {
  readonly app: Hono;
  /** Address to bind, e.g. `::` (all, dual-stack), `0.0.0.0` (all IPv4) or `127.0.0.1`. */
  readonly host: string;
  /** 0 picks a free port (tests); `HealthServer.port` tells which. */
  readonly port: number;
  readonly logger: Logger;
  /**
   * Lets @hono/node-server replace this thread's global `Request`/`Response` with its own light
   * ones, which it writes straight to the socket instead of reading a body stream: about a
   * quarter less CPU per probe (263-287 -> 193-213 us on a fresh connection, 130 -> 83 us on
   * a kept-alive one; bench/RESULTS.md section I). Only for a thread where nothing else uses `fetch` or
   * `Response`, the health worker: on the main thread it would leak into the kube and OTel
   * clients. Default false.
   */
  readonly ownsGlobals?: boolean;
}

export interface HealthServer {
  /** The port actually bound. */
  readonly port: number;
  /**
   * Stops accepting, ends idle keep-alive connections at once and force-closes the rest
   * after `timeoutMs`. Resolves when the listener is closed; idempotent (later calls share the first).
   */
  close(timeoutMs: number): Promise<void>;
}

// A probe is one tiny request: a client that takes longer than this to send its headers or
// its request is stuck or hostile, and must not hold a socket (Node's defaults are 60 s / 300 s).
const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
// Shorter than any sane probe period, so idle keep-alive sockets from curl loops or
// load balancers do not pile up.
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
// How often Node sweeps for requests past the two timeouts above.
const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

/**
 * Binds the health app. Resolves once listening; rejects with an error naming address, port
 * and cause when the port is taken (EADDRINUSE) or privileged (EACCES).
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { app, host, port, logger } = options;
  const server = createAdaptorServer({
    fetch: app.fetch,
    hostname: host,
    overrideGlobalObjects: options.ownsGlobals === true,
    serverOptions: {
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS,
    },
  }) as Server;
  await listen(server, host, port);
  // After listening, a server error must not crash the process that kubelet is probing.
  server.on('error', (err) => logger.error({ err }, 'health server error'));
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  let closing: Promise<void> | undefined;
  return {
    port: boundPort,
    close: (timeoutMs) => (closing ??= closeHttpServer(server, timeoutMs)),
  };
}

/** `::` (the default) is dual-stack, and IPv4 only on a kernel without IPv6: kubelet probes status.podIP, which may be either family. */
async function listen(server: Server, host: string, port: number): Promise<void> {
  try {
    await listenDualStack(server, host, port);
  } catch (err) {
    throw new Error(`health server cannot listen on ${host}:${port}: ${describeListenError(err as NodeJS.ErrnoException)}`, { cause: err });
  }
}

function describeListenError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return 'address already in use (EADDRINUSE): another process holds the port; choose another with --health-port';
    case 'EACCES':
      return 'permission denied (EACCES): ports below 1024 need privileges; choose another with --health-port';
    case 'EADDRNOTAVAIL':
      return 'address not available (EADDRNOTAVAIL): no local interface has this address; check --health-bind-address';
    default:
      return err.message;
  }
}

