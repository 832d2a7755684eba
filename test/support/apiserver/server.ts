import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { bootstrapPolicy } from './bootstrap.js';
import { serverVersion } from './discovery.js';
import { Encoder } from './encode.js';
import { Faults } from './faults.js';
import { writeKubeconfig } from './kubeconfig.js';
import { OpenApi } from './openapi.js';
import { OpenApiV2Encoder } from './openapi-v2pb.js';
import { Operations } from './operations.js';
import type { OperationsOptions } from './operations.js';
import { Registry } from './registry.js';
import { createHandler } from './router.js';
import type { RequestCounters } from './router.js';
import { ProtoCatalog } from './protobuf.js';
import { loadState, readManifests, saveState } from './state.js';
import { Store } from './store.js';
import { TokenIssuer } from './tokens.js';
import type { ServiceAccountClaims } from './tokens.js';
import type { KubeObject } from './types.js';
import { WatchHub } from './watch.js';

export interface ApiServerOptions {
  /** Only loopback is allowed. Default `127.0.0.1`. */
  readonly host?: '127.0.0.1';
  /** Default 0 (the kernel picks a free port). */
  readonly port?: number;
  /** Events kept for watch resume and continue tokens. Default 10000. */
  readonly historyLimit?: number;
  /** BOOKMARK period for watches that allow them, ms; 0 = never. Default 1000. */
  readonly bookmarkIntervalMs?: number;
  /** Loaded at start if the file exists; `close()` does not save (call `saveState`). */
  readonly statePath?: string;
  /** YAML/JSON files whose CRDs (or any objects) are created at start. */
  readonly crds?: readonly string[];
  /** Clock and randomness seams. */
  readonly operations?: OperationsOptions;
  /** Deep-freeze stored objects, so a write that mutates one fails loudly (see Store). Default false. */
  readonly freezeStored?: boolean;
  /** Kubernetes minor version `/version` claims (kubectl's dispatcher runs kubectl.1.<minor>). Default 32. */
  readonly minorVersion?: number;
}

export interface ApiServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  writeKubeconfig(path: string): Promise<void>;
  readonly faults: Faults;
  /** Requests served (control API excluded) and watches opened since start. */
  stats(): { requests: number; watches: number };
  /** Counts requests from now on whose method is `method` and path matches `path`; read the count with the returned function. */
  countRequests(method: string, path: RegExp): () => number;
  /** Current global resourceVersion. */
  resourceVersion(): number;
  saveState(path: string): Promise<void>;
  /**
   * A ServiceAccount token as `kubectl create token` mints it (the account must exist):
   * valid for `expirationSeconds` (default 3600), for `audiences` (default the API server's).
   */
  createToken(namespace: string, name: string, options?: { audiences?: string[]; expirationSeconds?: number }): string;
  /** The claims of a token this server minted, or undefined if it is not one of ours (or expired). */
  tokenClaims(token: string): ServiceAccountClaims | undefined;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function seed(ops: Operations, registry: Registry, options: ApiServerOptions): Promise<void> {
  const nsDef = registry.byKey('namespaces');
  if (nsDef === undefined) throw new Error('namespaces not registered');
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    if (ops.tryGet(nsDef, undefined, name) === undefined) ops.create(nsDef, undefined, { metadata: { name } });
  }
  for (const [plural, obj] of bootstrapPolicy()) {
    const d = registry.byKey(`${plural}.rbac.authorization.k8s.io`);
    if (d !== undefined && ops.tryGet(d, undefined, obj.metadata.name ?? '') === undefined) ops.create(d, undefined, obj);
  }
  for (const file of options.crds ?? []) {
    for (const obj of await readManifests(file)) {
      const [group, version] = String(obj['apiVersion'] ?? 'v1').includes('/') ? String(obj['apiVersion']).split('/') : ['', String(obj['apiVersion'] ?? 'v1')];
      const plural = [...registry.inGroupVersion(group ?? '', version ?? '')].find((d) => d.kind === obj['kind']);
      if (plural === undefined) throw new Error(`--crd ${file}: no served resource for ${String(obj['apiVersion'])} ${String(obj['kind'])}`);
      if (ops.tryGet(plural, obj.metadata.namespace, obj.metadata.name ?? '') === undefined) ops.create(plural, plural.namespaced ? (obj.metadata.namespace ?? 'default') : undefined, obj);
    }
  }
}

/** Starts the local Kubernetes API server double on 127.0.0.1. */
export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const registry = new Registry();
  const store = new Store(options.historyLimit ?? 10_000, 1, options.freezeStored ?? false);
  const encoder = new Encoder();
  const catalog = new ProtoCatalog();
  const ops = new Operations(store, registry, options.operations, (def, obj) => (def.builtin ? (catalog.normalize(String(obj['apiVersion']), def.kind, obj) as KubeObject) : obj));
  const now = options.operations?.now ?? (() => new Date());
  const issuer = new TokenIssuer(now);
  const hub = new WatchHub(store, encoder, options.bookmarkIntervalMs ?? 1000);
  if (options.statePath !== undefined) await loadState(store, registry, options.statePath);
  await seed(ops, registry, options);
  const counters: RequestCounters = { requests: 0, tallies: [] };
  const server = createServer({ keepAliveTimeout: 65_000 });
  let port = options.port ?? 0;
  const faults = new Faults({
    dropWatches: () => hub.dropAll(),
    compact: () => store.compact(),
    refuse: async (ms) => {
      hub.dropAll();
      await closeServer(server);
      await new Promise((done) => setTimeout(done, ms));
      await listen(server, port, host);
    },
  });
  const version = serverVersion(options.minorVersion);
  const openapi = new OpenApi(registry, catalog, store, version['gitVersion'] ?? '');
  const v2pb = new OpenApiV2Encoder();
  let v2cache: { json: string; body: Buffer } | undefined;
  const openapiV2Protobuf = (): Buffer => {
    const json = openapi.v2();
    if (v2cache?.json !== json) v2cache = { json, body: v2pb.encode(json) };
    return v2cache.body;
  };
  server.on('request', createHandler({ store, ops, hub, encoder, now, registry, faults, counters, catalog, issuer, version, openapi, openapiV2Protobuf, hostPort: () => `${host}:${port}` }));
  port = await listen(server, port, host);
  const url = `http://${host}:${port}`;
  return {
    url,
    port,
    faults,
    writeKubeconfig: (path) => writeKubeconfig(path, url),
    stats: () => ({ requests: counters.requests, watches: hub.total }),
    countRequests(method, path) {
      const tally = { method, path, count: 0 };
      counters.tallies.push(tally);
      return () => tally.count;
    },
    resourceVersion: () => store.resourceVersion,
    saveState: (path) => saveState(store, path),
    createToken: (namespace, name, tokenOptions = {}) => {
      const sa = store.get('serviceaccounts', namespace, name);
      if (sa === undefined) throw new Error(`createToken: serviceaccount ${namespace}/${name} does not exist`);
      return issuer.mint({ namespace, name, uid: sa.metadata.uid ?? '' }, tokenOptions.audiences ?? [], tokenOptions.expirationSeconds ?? 3600).token;
    },
    tokenClaims: (token) => {
      const v = issuer.verify(token);
      return v.ok ? v.claims : undefined;
    },
    close: async () => {
      hub.close();
      await closeServer(server);
    },
  };
}
