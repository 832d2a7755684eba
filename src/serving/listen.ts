import type { Server as HttpServer } from 'node:http';
import type { Server } from 'node:net';

/** The address a wildcard `::` falls back to when the kernel has no IPv6 (ipv6.disable=1). */
const IPV4_WILDCARD = '0.0.0.0';
const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL', 'EPROTONOSUPPORT']);

/**
 * Listens on `host:port`. `::` is dual-stack (Node leaves IPV6_V6ONLY off, so IPv4 clients
 * arrive as `::ffff:a.b.c.d`; a host with net.ipv6.bindv6only=1 makes it IPv6-only); on a kernel
 * without IPv6 it falls back to `0.0.0.0`. Resolves with the address actually bound; rejects
 * with the listen error (EADDRINUSE, EACCES, ...).
 */
export async function listenDualStack(server: Server, host: string, port: number): Promise<{ host: string; port: number }> {
  try {
    return await listenOnce(server, host, port);
  } catch (err) {
    if (host !== '::' || !NO_IPV6.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    return listenOnce(server, IPV4_WILDCARD, port);
  }
}

function listenOnce(server: Server, host: string, port: number): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      const address = server.address();
      resolve({ host, port: typeof address === 'object' && address !== null ? address.port : port });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Stops accepting, closes idle keep-alive connections at once and forces the rest after
 * `timeoutMs`. Resolves when the server closed; its callback error (not running) is not a
 * failure of close: the goal is reached.
 */
export function closeHttpServer(server: HttpServer, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
