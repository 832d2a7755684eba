import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateRequest, requireAllowed, resourceAttributes } from './auth.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { ApiError, pathNotFound } from './errors.js';
import type { FailOptions, Faults } from './faults.js';
import { readBody, sendError, sendJson } from './http-util.js';
import type { Registry } from './registry.js';
import type { OpenApi } from './openapi.js';
import { OPENAPI_V2_PROTOBUF } from './openapi-v2pb.js';
import { handleResource } from './resources.js';
import type { ResourceDeps, ResourceRequest } from './resources.js';

export interface RouterDeps extends ResourceDeps {
  readonly openapi: OpenApi;
  /** /openapi/v2 in gnostic protobuf (cached by the caller). */
  readonly openapiV2Protobuf: () => Buffer;
  readonly registry: Registry;
  readonly faults: Faults;
  readonly hostPort: () => string;
  readonly counters: RequestCounters;
  /** What `/version` answers. */
  readonly version: Record<string, string>;
}

/** Requests served, and the tallies tests registered (`ApiServer.countRequests`). */
export interface RequestCounters {
  requests: number;
  readonly tallies: Array<{ readonly method: string; readonly path: RegExp; count: number }>;
}

/** Splits `<rest>` after `/api/v1` or `/apis/<g>/<v>` into a resource address. */
function parseResourcePath(registry: Registry, group: string, version: string, rest: string[]): ResourceRequest | undefined {
  const watchPath = rest[0] === 'watch';
  const parts = watchPath ? rest.slice(1) : rest;
  const [first, second, third, fourth, fifth] = parts;
  if (first === undefined) return undefined;
  if (first === 'namespaces' && second !== undefined && third !== undefined) {
    const def = registry.lookup(group, version, third);
    if (def?.namespaced === true) return { def, version, namespace: second, name: fourth, subresource: fifth, watchPath };
  }
  const def = registry.lookup(group, version, first);
  if (def === undefined || (def.namespaced && second !== undefined)) return undefined;
  if (parts.length > 3) return undefined;
  return { def, version, namespace: undefined, name: second, subresource: third, watchPath };
}

/** `/openapi/v2` (JSON, or gnostic protobuf when asked for it) and `/openapi/v3[/<group-version>]`. */
function openapi(deps: RouterDeps, req: IncomingMessage, res: ServerResponse, segs: string[]): boolean {
  if (segs[0] !== 'openapi') return false;
  let doc: string | undefined;
  if (segs[1] === 'v2' && segs.length === 2) {
    const accept = req.headers.accept ?? '';
    if (accept.includes('application/com.github.proto-openapi.spec.v2')) {
      const body = deps.openapiV2Protobuf();
      res.writeHead(200, { 'Content-Type': OPENAPI_V2_PROTOBUF, 'Content-Length': body.length });
      res.end(body);
      return true;
    }
    doc = deps.openapi.v2();
  } else if (segs[1] === 'v3' && segs.length === 2) doc = deps.openapi.v3Index();
  else if (segs[1] === 'v3' && segs[2] === 'api' && segs.length === 4) doc = deps.openapi.v3('', segs[3] ?? '');
  else if (segs[1] === 'v3' && segs[2] === 'apis' && segs.length === 5) doc = deps.openapi.v3(segs[3] ?? '', segs[4] ?? '');
  if (doc === undefined) return false;
  sendJson(res, 200, doc);
  return true;
}

function discovery(deps: RouterDeps, segs: string[]): unknown {
  const [root, a, b] = segs;
  if (root === 'version' && segs.length === 1) return deps.version;
  if (root === 'api' && segs.length === 1) return apiVersions(deps.hostPort());
  if (root === 'api' && segs.length === 2 && a !== undefined) return apiResourceList(deps.registry, '', a);
  if (root === 'apis' && segs.length === 1) return apiGroupList(deps.registry);
  if (root === 'apis' && segs.length === 2 && a !== undefined) return apiGroup(deps.registry, a);
  if (root === 'apis' && segs.length === 3 && a !== undefined && b !== undefined) return apiResourceList(deps.registry, a, b);
  return undefined;
}

function failOptions(body: Record<string, unknown>): FailOptions {
  const status = body['status'] ?? 500;
  if (status !== 500 && status !== 429) throw new Error(`fail-next: status must be 500 or 429, got ${String(status)}`);
  return {
    status,
    ...(typeof body['method'] === 'string' ? { method: body['method'] } : {}),
    ...(typeof body['pathPrefix'] === 'string' ? { pathPrefix: body['pathPrefix'] } : {}),
    ...(typeof body['retryAfterSeconds'] === 'number' ? { retryAfterSeconds: body['retryAfterSeconds'] } : {}),
  };
}

/** `/_test/...`: fault switches and stats for tests that drive a spawned server. */
async function control(deps: RouterDeps, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const text = req.method === 'POST' ? await readBody(req) : '';
  const body = (text.trim() === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
  const f = deps.faults;
  let result: unknown = { ok: true };
  switch (path) {
    case '/_test/faults/drop-watches': result = { dropped: f.dropWatches() }; break;
    case '/_test/faults/compact': f.compactHistory(); break;
    case '/_test/faults/fail-next':
      f.failNext(Number(body['count'] ?? 1), failOptions(body));
      break;
    case '/_test/faults/latency': f.setLatency(Number(body['ms'] ?? 0)); break;
    case '/_test/faults/refuse':
      // Answer first: the listener is about to go away.
      sendJson(res, 200, JSON.stringify({ ok: true }));
      void f.refuseConnections(Number(body['ms'] ?? 1000)).catch(() => undefined);
      return;
    case '/_test/faults/reset': f.reset(); break;
    case '/_test/stats': result = { requests: deps.counters.requests, watches: deps.hub.total, openWatches: deps.hub.open, resourceVersion: deps.store.resourceVersion }; break;
    default: throw pathNotFound();
  }
  sendJson(res, 200, JSON.stringify(result));
}

async function route(deps: RouterDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const segs = url.pathname.split('/').filter((s) => s !== '');
  if (['healthz', 'livez', 'readyz'].includes(segs[0] ?? '') && req.method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok');
    return;
  }
  const user = authenticateRequest(deps.store, deps.issuer, req);
  if (req.method === 'GET') {
    const doc = discovery(deps, segs);
    if (doc !== undefined) {
      requireAllowed(deps.store, user, { kind: 'nonResource', verb: 'get', path: url.pathname });
      return sendJson(res, 200, JSON.stringify(doc));
    }
    if (segs[0] === 'openapi') requireAllowed(deps.store, user, { kind: 'nonResource', verb: 'get', path: url.pathname });
    if (openapi(deps, req, res, segs)) return;
  }
  let r: ResourceRequest | undefined;
  if (segs[0] === 'api' && segs[1] !== undefined) r = parseResourcePath(deps.registry, '', segs[1], segs.slice(2));
  else if (segs[0] === 'apis' && segs[1] !== undefined && segs[2] !== undefined) r = parseResourcePath(deps.registry, segs[1], segs[2], segs.slice(3));
  if (r === undefined) {
    requireAllowed(deps.store, user, { kind: 'nonResource', verb: (req.method ?? 'GET').toLowerCase(), path: url.pathname });
    throw pathNotFound();
  }
  const watch = r.watchPath || ['true', '1'].includes(url.searchParams.get('watch') ?? '');
  requireAllowed(deps.store, user, resourceAttributes(r.def, req.method ?? 'GET', { namespace: r.namespace, name: r.name, subresource: r.subresource, watch }));
  await handleResource(deps, r, req, res, url.searchParams, user);
}

/** The server's request listener: control API, faults, latency, then discovery and resources. */
export function createHandler(deps: RouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/_test/')) {
      control(deps, req, res, url.pathname).catch((err: unknown) => sendError(res, err instanceof ApiError ? err : new ApiError(400, 'BadRequest', (err as Error).message)));
      return;
    }
    deps.counters.requests += 1;
    for (const t of deps.counters.tallies) if (t.method === req.method && t.path.test(url.pathname)) t.count += 1;
    const run = async (): Promise<void> => {
      const latency = deps.faults.latencyMs;
      if (latency > 0) await new Promise((done) => setTimeout(done, latency));
      const fault = deps.faults.take(req.method ?? 'GET', url.pathname);
      if (fault !== undefined) throw fault;
      await route(deps, req, res, url);
    };
    run().catch((err: unknown) => sendError(res, err));
  };
}
