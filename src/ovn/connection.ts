import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { OvsdbEndpoint, OvsdbTlsFiles } from '../config/index.js';
import { createJsonSplitter } from './framing.js';

/** Why a call did not get a reply. `closed`: the connection ended first; `timeout`: the call's own bound; `error`: the server answered with an error. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly kind: 'closed' | 'timeout' | 'error',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface RpcConnection {
  readonly endpoint: string;
  /** Sends a request and waits at most `timeoutMs` for its reply; rejects with `RpcError`. */
  call(method: string, params: unknown[], timeoutMs: number): Promise<unknown>;
  /** Ends the connection; pending calls reject with `closed`. Idempotent. */
  close(reason: string): void;
  /** Settles (never rejects) with the reason once the connection has ended, whoever ended it. */
  readonly closed: Promise<string>;
}

export interface ConnectionOptions {
  readonly connectTimeoutMs: number;
  /** Idle time before we probe with `echo`, and again before giving up on the peer (OVS `reconnect` semantics). 0 turns probes off. */
  readonly inactivityTimeoutMs: number;
  readonly tls?: OvsdbTlsFiles;
  /** Notifications (`update2`, `update`, `locked`, ...): method and params. */
  readonly onNotification: (method: string, params: unknown) => void;
}

export function describeEndpoint(e: OvsdbEndpoint): string {
  return e.kind === 'unix' ? `unix:${e.path}` : `${e.kind}:${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;
}

function dial(e: OvsdbEndpoint, tls: OvsdbTlsFiles | undefined): Socket {
  if (e.kind === 'unix') return netConnect({ path: e.path });
  if (e.kind === 'tcp') return netConnect({ host: e.host, port: e.port });
  if (tls === undefined) throw new Error(`${describeEndpoint(e)}: ssl endpoint without key/cert/CA files`);
  // ovsdb-server certificates name no host (ovs-pki), so only the CA chain is verified, as OVS's stream-ssl does.
  return tlsConnect({
    host: e.host,
    port: e.port,
    key: readFileSync(tls.keyFile),
    cert: readFileSync(tls.certFile),
    ca: readFileSync(tls.caFile),
    checkServerIdentity: () => undefined,
  });
}

/** Opens one JSON-RPC connection; rejects when it cannot be established within `connectTimeoutMs`. */
export function openConnection(e: OvsdbEndpoint, options: ConnectionOptions): Promise<RpcConnection> {
  const endpoint = describeEndpoint(e);
  return new Promise((resolve, reject) => {
    let socket: Socket;
    try {
      socket = dial(e, options.tls);
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const timer = setTimeout(() => socket.destroy(new Error(`${endpoint}: connect timed out after ${options.connectTimeoutMs} ms`)), options.connectTimeoutMs);
    timer.unref();
    const ready = e.kind === 'ssl' ? 'secureConnect' : 'connect';
    socket.once(ready, () => {
      clearTimeout(timer);
      socket.off('error', reject);
      resolve(wrap(socket, endpoint, options));
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${endpoint}: ${err.message}`, { cause: err }));
    });
  });
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: RpcError): void;
  timer: NodeJS.Timeout;
}

interface Message {
  id?: unknown;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

function wrap(socket: Socket, endpoint: string, options: ConnectionOptions): RpcConnection {
  const splitter = createJsonSplitter();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let ended: string | undefined;
  let settle!: (reason: string) => void;
  const closed = new Promise<string>((r) => (settle = r));
  socket.setNoDelay(true);

  const send = (message: unknown): void => {
    if (ended === undefined) socket.write(JSON.stringify(message));
  };

  const close = (reason: string): void => {
    if (ended !== undefined) return;
    ended = reason;
    clearTimeout(probe);
    socket.destroy();
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new RpcError('closed', `${endpoint}: connection closed (${reason})`));
    }
    pending.clear();
    settle(reason);
  };

  // OVS `reconnect`: after an idle interval send an echo; a second idle interval with nothing heard ends the connection.
  let probing = false;
  const probe = setTimeout(function onIdle() {
    if (probing) return close(`no message for ${2 * options.inactivityTimeoutMs} ms (inactivity probe)`);
    probing = true;
    send({ method: 'echo', params: ['probe'], id: 'echo' });
    probe.refresh();
  }, Math.max(1, options.inactivityTimeoutMs));
  probe.unref();
  if (options.inactivityTimeoutMs === 0) clearTimeout(probe);

  const receive = (m: Message): void => {
    if (m.method === 'echo' && m.id !== undefined && m.id !== null) return send({ id: m.id, result: m.params, error: null });
    if (typeof m.method === 'string' && (m.id === null || m.id === undefined)) return options.onNotification(m.method, m.params);
    if (typeof m.id !== 'number') return; // our echo replies and anything unasked for
    const p = pending.get(m.id);
    if (p === undefined) return; // a reply after its call timed out
    pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.error !== null && m.error !== undefined) p.reject(new RpcError('error', `${endpoint}: ${JSON.stringify(m.error)}`));
    else p.resolve(m.result);
  };

  socket.on('data', (chunk: Buffer) => {
    probing = false;
    if (options.inactivityTimeoutMs > 0) probe.refresh();
    let messages: unknown[];
    try {
      messages = splitter.push(chunk);
    } catch (err) {
      return close((err as Error).message);
    }
    for (const m of messages) receive(m as Message);
  });
  socket.on('error', (err) => close(err.message));
  socket.on('close', () => close('closed by peer'));

  return {
    endpoint,
    closed,
    close,
    call(method, params, timeoutMs) {
      if (ended !== undefined) return Promise.reject(new RpcError('closed', `${endpoint}: connection closed (${ended})`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new RpcError('timeout', `${endpoint}: ${method} got no reply within ${timeoutMs} ms`));
        }, timeoutMs);
        timer.unref();
        pending.set(id, { resolve, reject, timer });
        send({ method, params, id });
      });
    },
  };
}
