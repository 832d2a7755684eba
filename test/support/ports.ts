import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Where free ports are drawn from: below the kernel's ephemeral range. A port the kernel picks for
 * `listen(0)` is an ephemeral one, and between closing it and the process under test binding it,
 * any outgoing connection on the machine (a probe, a scrape, an API request of a test running in
 * parallel) can take it as its local port: CI once saw a controller's health port stay refused for
 * 30 s that way.
 */
function candidateRange(): [number, number] {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 12_000) return [10_000, low - 1];
  } catch {
    // not Linux: fall through
  }
  return [10_000, 32_767];
}

const RANGE = candidateRange();
/** Ports this process handed out already: never twice, so two calls in a row differ. */
const handedOut = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port that was free on 127.0.0.1 a moment ago, outside the ephemeral range, not handed out before by this process. */
export async function freePort(): Promise<number> {
  const [low, high] = RANGE;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${low}-${high} after 200 tries`);
}

/** Holds a port open on 127.0.0.1 (to make it "already in use"); resolves to a closer. */
export async function occupyPort(port: number): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(() => new Promise((done) => server.close(() => done()))));
  });
}
