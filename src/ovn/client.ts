import type { OvsdbEndpoint, OvsdbTlsFiles } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { createRateLimitedLogger } from '../log/index.js';
import { applyUpdate2, createCache } from './cache.js';
import type { DbCache } from './cache.js';
import { openConnection, RpcError } from './connection.js';
import type { RpcConnection } from './connection.js';
import { encodeOperation, parseTransactReply } from './protocol.js';
import type { Operation, TransactOutcome } from './protocol.js';
import { parseSchema } from './schema.js';
import type { DbSchema } from './schema.js';
import { serverStatus, SERVER_COLUMNS } from './server.js';
import type { ServerStatus } from './server.js';

export interface OvsdbClientOptions {
  readonly endpoints: readonly OvsdbEndpoint[];
  /** e.g. `OVN_Northbound`. */
  readonly database: string;
  /** Tables to monitor and cache, with the columns kept of each. */
  readonly tables: Readonly<Record<string, readonly string[]>>;
  /** `--ovn-timeout`: bound on every call, ms. */
  readonly callTimeoutMs: number;
  /** `--ovsdb-con-timeout`, ms. */
  readonly connectTimeoutMs: number;
  /** `--ovsdb-inactivity-timeout`, ms; 0 = no probes. */
  readonly inactivityTimeoutMs: number;
  readonly tls?: OvsdbTlsFiles;
  readonly logger: Logger;
  /** `ovs_client_request_latency_milliseconds`. */
  readonly latency?: LatencyRecorder;
  /** Reconnect backoff after a round over every endpoint failed, ms: doubles from `initial` to `max` (OVS `reconnect`: 1 s to 8 s). */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly random?: () => number;
}

/** Where call latencies go: the `ovs_client_request_latency_milliseconds` histogram (an OTel `Histogram` fits). */
export interface LatencyRecorder {
  record(ms: number, attributes: { db: string; method: string; code: 'ok' | 'error' | 'timeout' | 'closed' }): void;
}

export interface ClientStatus {
  readonly connected: boolean;
  /** Connected to a usable member (the leader of a cluster) and the cache holds its whole content. */
  readonly synced: boolean;
  readonly endpoint?: string;
  readonly lastError?: string;
}

export interface OvsdbClient {
  /** The cache of the monitored tables; replaced by a fresh one at every (re)sync, so read it through this getter. */
  readonly cache: DbCache;
  readonly schema: DbSchema | undefined;
  status(): ClientStatus;
  /** Resolves true once synced, false when `timeoutMs` passes or `signal` aborts first. */
  whenSynced(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /** One transaction on the synced member; waits for a sync up to the call timeout. Never rejects. */
  transact(ops: readonly Operation[], timeoutMs?: number): Promise<TransactOutcome>;
  /** Calls `listener` after each applied update (initial sync included); returns an unsubscribe. */
  onUpdate(listener: () => void): () => void;
  /** Connects and keeps connected until `close()`. Idempotent. */
  start(): void;
  close(): Promise<void>;
}

const DB_MONITOR = 'db';

/** The cache being filled by one session, and updates that arrived before its initial content. */
interface Pending {
  readonly next: DbCache;
  schema?: DbSchema;
  held: unknown[] | undefined;
}
const SERVER_MONITOR = 'server';

export function createOvsdbClient(options: OvsdbClientOptions): OvsdbClient {
  const log = createRateLimitedLogger(options.logger);
  const backoff = options.backoff ?? { initialMs: 1_000, maxMs: 8_000 };
  const random = options.random ?? Math.random;
  let cache = createCache();
  let schema: DbSchema | undefined;
  let conn: RpcConnection | undefined;
  let synced = false;
  let lastError: string | undefined;
  let closing = false;
  let running: Promise<void> | undefined;
  const syncWaiters = new Set<() => void>();
  const listeners = new Set<() => void>();
  let wake: (() => void) | undefined;

  const timed = async (c: RpcConnection, method: string, params: unknown[], timeoutMs = options.callTimeoutMs): Promise<unknown> => {
    const started = performance.now();
    let code: 'ok' | 'error' | 'timeout' | 'closed' = 'ok';
    try {
      return await c.call(method, params, timeoutMs);
    } catch (err) {
      code = err instanceof RpcError ? err.kind : 'error';
      throw err;
    } finally {
      options.latency?.record(performance.now() - started, { db: options.database, method, code });
    }
  };

  const notify = (): void => {
    for (const l of listeners) {
      try {
        l();
      } catch (err) {
        options.logger.error({ err }, 'OVSDB update listener threw');
      }
    }
  };

  const apply = (c: RpcConnection | undefined, pending: Pending, updates: unknown): void => {
    try {
      applyUpdate2(pending.next, pending.schema as DbSchema, updates);
    } catch (err) {
      c?.close(`bad update2: ${(err as Error).message}`);
    }
  };

  const onNotification = (c: () => RpcConnection | undefined, pending: Pending) => (method: string, params: unknown) => {
    if (method !== 'update2' || !Array.isArray(params)) return;
    const [id, updates] = params as [unknown, unknown];
    if (id === SERVER_MONITOR) {
      const status = serverStatus(updates, options.database);
      if (status !== undefined && !status.usable) c()?.close(`${options.database} member is no longer usable: ${status.why}`);
      return;
    }
    if (id !== DB_MONITOR || pending.schema === undefined) return;
    // One chunk can hold the monitor reply and the first update2; the reply's continuation runs
    // later (a microtask), so hold updates until the initial content is in.
    if (pending.held !== undefined) {
      pending.held.push(updates);
      return;
    }
    apply(c(), pending, updates);
    if (synced) notify();
  };

  async function session(endpoint: OvsdbEndpoint): Promise<boolean> {
    const pending: Pending = { next: createCache(), held: [] };
    let c: RpcConnection | undefined;
    c = await openConnection(endpoint, {
      connectTimeoutMs: options.connectTimeoutMs,
      inactivityTimeoutMs: options.inactivityTimeoutMs,
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      onNotification: onNotification(() => c, pending),
    });
    try {
      const status = await checkServer(c);
      if (!status.usable) {
        lastError = `${c.endpoint}: ${status.why}`;
        return false;
      }
      pending.schema = parseSchema(await timed(c, 'get_schema', [options.database]));
      const requests: Record<string, { columns: readonly string[] }[]> = {};
      for (const [table, columns] of Object.entries(options.tables)) requests[table] = [{ columns }];
      const initial = await timed(c, 'monitor_cond', [options.database, DB_MONITOR, requests]);
      applyUpdate2(pending.next, pending.schema, initial);
      for (const held of pending.held ?? []) apply(c, pending, held);
      pending.held = undefined;
      cache = pending.next;
      schema = pending.schema;
      conn = c;
      synced = true;
      lastError = undefined;
      options.logger.info({ endpoint: c.endpoint, database: options.database }, 'OVSDB connected and cache synced');
      for (const w of syncWaiters) w();
      notify();
      const reason = await c.closed;
      lastError = `${c.endpoint}: ${reason}`;
      return true;
    } finally {
      synced = false;
      conn = undefined;
      c.close('session ended');
    }
  }

  /** Monitors `_Server.Database` (ovsdb-server(7)): a clustered member is usable only while it is the connected leader. */
  async function checkServer(c: RpcConnection): Promise<ServerStatus> {
    const request = { Database: [{ columns: SERVER_COLUMNS, where: [['name', '==', options.database]] }] };
    const initial = await timed(c, 'monitor_cond', ['_Server', SERVER_MONITOR, request]);
    return serverStatus(initial, options.database) ?? { usable: false, why: `server has no database ${options.database}` };
  }

  async function run(): Promise<void> {
    let delay = backoff.initialMs;
    let next = 0;
    while (!closing) {
      let useful = false;
      for (let i = 0; i < options.endpoints.length && !closing; i++) {
        const endpoint = options.endpoints[(next + i) % options.endpoints.length] as OvsdbEndpoint;
        try {
          if (await session(endpoint)) {
            useful = true;
            next = (next + i) % options.endpoints.length;
            break;
          }
        } catch (err) {
          lastError = (err as Error).message;
        }
        log.log('warn', `ovsdb:${options.database}`, { database: options.database, error: lastError }, 'OVSDB endpoint not usable, trying the next');
      }
      if (closing) break;
      if (useful) {
        delay = backoff.initialMs;
        continue; // a session that synced and then ended: reconnect at once, starting with the same member
      }
      next = (next + 1) % Math.max(1, options.endpoints.length);
      await sleep(delay * (0.5 + random()));
      delay = Math.min(backoff.maxMs, delay * 2);
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      t.unref();
      function done() {
        clearTimeout(t);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  function whenSynced(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (v: boolean) => {
        clearTimeout(timer);
        syncWaiters.delete(onSync);
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const onSync = () => finish(true);
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      timer.unref();
      syncWaiters.add(onSync);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async function transact(ops: readonly Operation[], timeoutMs = options.callTimeoutMs): Promise<TransactOutcome> {
    const deadline = Date.now() + timeoutMs;
    if (!(await whenSynced(timeoutMs)) || conn === undefined) {
      return { ok: false, reason: 'unavailable', error: 'not connected', details: lastError ?? 'no northbound endpoint usable yet' };
    }
    const c = conn;
    try {
      const reply = await timed(c, 'transact', [options.database, ...ops.map(encodeOperation)], Math.max(1, deadline - Date.now()));
      const outcome = parseTransactReply(reply, ops.length);
      // A member that lost leadership mid-commit says so; the transaction may or may not land: treat as a dropped connection.
      if (!outcome.ok && /not leader|cluster/i.test(`${outcome.error} ${outcome.details}`)) {
        c.close(`transaction refused: ${outcome.error}`);
        return { ok: false, reason: 'unavailable', error: outcome.error, details: outcome.details };
      }
      return outcome;
    } catch (err) {
      const e = err as RpcError;
      // A raft member without quorum never answers: drop it so the next member gets a chance.
      if (e.kind === 'timeout') c.close('transaction timed out');
      return { ok: false, reason: e.kind === 'timeout' ? 'timeout' : e.kind === 'closed' ? 'unavailable' : 'commit-error', error: e.kind, details: e.message };
    }
  }

  return {
    get cache() {
      return cache;
    },
    get schema() {
      return schema;
    },
    status: () => ({ connected: conn !== undefined, synced, ...(conn === undefined ? {} : { endpoint: conn.endpoint }), ...(lastError === undefined ? {} : { lastError }) }),
    whenSynced,
    transact,
    onUpdate(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      running ??= run().catch((err: unknown) => options.logger.error({ err }, 'OVSDB client loop failed'));
    },
    async close() {
      closing = true;
      wake?.();
      conn?.close('client closed');
      await running;
    },
  };
}
