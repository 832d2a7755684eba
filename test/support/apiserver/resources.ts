import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Encoder } from './encode.js';
import { badRequest, methodNotAllowed, notFound, pathNotFound } from './errors.js';
import { boolParam, intParam, readBody, readBytes, sendJson } from './http-util.js';
import { encodeList, listPage } from './list.js';
import type { ListQuery } from './list.js';
import type { Operations } from './operations.js';
import { fieldValidation, validateFields } from './field-validation.js';
import { decodeBody, sendObject } from './negotiate.js';
import { APPLY_PATCH, applyPatch } from './patch.js';
import type { ProtoCatalog } from './protobuf.js';
import type { UserInfo } from './rbac.js';
import { selfOrLocalReview, subjectAccessReview, tokenRequest, tokenReview } from './reviews.js';
import type { TokenIssuer } from './tokens.js';
import { both, parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { Store } from './store.js';
import { encodeTable, wantsTable } from './table.js';
import { isObject, resourceKey } from './types.js';
import type { KubeObject, ResourceDef } from './types.js';
import type { WatchHub } from './watch.js';

/** A request addressed to a resource, after path parsing. */
export interface ResourceRequest {
  readonly def: ResourceDef;
  readonly version: string;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
  readonly watchPath: boolean;
}

export interface ResourceDeps {
  readonly store: Store;
  readonly ops: Operations;
  readonly hub: WatchHub;
  readonly encoder: Encoder;
  readonly now: () => Date;
  readonly catalog: ProtoCatalog;
  readonly issuer: TokenIssuer;
}

/** Deleting these answers a `Status` instead of the object (their registries don't set ReturnDeletedObject). */
const STATUS_ON_DELETE = new Set(['events', 'leases', 'events.events.k8s.io']);

function apiVersion(r: ResourceRequest): string {
  return r.def.group === '' ? r.version : `${r.def.group}/${r.version}`;
}

function listQuery(r: ResourceRequest, params: URLSearchParams): ListQuery {
  const labels = parseLabelSelector(params.get('labelSelector'));
  const fields = parseFieldSelector(params.get('fieldSelector'), r.def);
  return {
    def: r.def,
    resource: resourceKey(r.def.group, r.def.plural),
    namespace: r.namespace,
    match: both(labels, fields),
    filtered: (params.get('labelSelector') ?? '') !== '' || (params.get('fieldSelector') ?? '') !== '',
    apiVersion: apiVersion(r),
    limit: intParam(params, 'limit'),
    continueToken: params.get('continue') ?? undefined,
  };
}

function collection(deps: ResourceDeps, r: ResourceRequest, req: IncomingMessage, res: ServerResponse, params: URLSearchParams): void {
  const q = listQuery(r, params);
  if (r.watchPath || boolParam(params, 'watch')) {
    deps.hub.serve({
      resource: q.resource, namespace: q.namespace, match: q.match, apiVersion: q.apiVersion, kind: r.def.kind,
      resourceVersion: params.get('resourceVersion') ?? undefined, bookmarks: boolParam(params, 'allowWatchBookmarks'),
      timeoutSeconds: intParam(params, 'timeoutSeconds'),
      ...(wantsTable(req.headers.accept) ? { transform: (o: KubeObject) => encodeTable(deps.encoder, q, { rv: deps.store.resourceVersion, items: [o], continueToken: undefined, remaining: undefined }, deps.now()) } : {}),
    }, res);
    return;
  }
  const page = listPage(deps.store, q);
  if (wantsTable(req.headers.accept)) return sendJson(res, 200, encodeTable(deps.encoder, q, page, deps.now()));
  if (!r.def.builtin) return sendJson(res, 200, encodeList(deps.encoder, q, page));
  const metadata: Record<string, unknown> = { resourceVersion: String(page.rv), ...(page.continueToken === undefined ? {} : { continue: page.continueToken }), ...(page.remaining === undefined ? {} : { remainingItemCount: page.remaining }) };
  sendObject(deps.catalog, req, res, 200, q.apiVersion, r.def.listKind, { metadata, items: page.items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest) }, () => encodeList(deps.encoder, q, page));
}

function objectBody(deps: ResourceDeps, r: ResourceRequest, obj: KubeObject): string {
  return deps.encoder.object(obj, apiVersion(r));
}

/** Sends a stored object in the negotiated encoding (protobuf for built-ins when asked first). */
function reply(deps: ResourceDeps, r: ResourceRequest, req: IncomingMessage, res: ServerResponse, code: number, obj: KubeObject): void {
  if (!r.def.builtin) return sendJson(res, code, objectBody(deps, r, obj));
  sendObject(deps.catalog, req, res, code, apiVersion(r), r.def.kind, obj, () => objectBody(deps, r, obj));
}

async function bodyOf(deps: ResourceDeps, r: ResourceRequest, req: IncomingMessage): Promise<unknown> {
  return decodeBody(deps.catalog, await readBytes(req), req.headers['content-type'], r.def.builtin);
}

/** Server-side field validation of an object about to be written; warnings go out as `Warning` headers. */
function checked<T>(deps: ResourceDeps, r: ResourceRequest, res: ServerResponse, params: URLSearchParams, body: T): T {
  if (!isObject(body)) return body;
  const warnings = validateFields(deps.catalog, deps.store, r.def, body as KubeObject, fieldValidation(params));
  if (warnings.length > 0) res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
  return body;
}

function deleteBody(deps: ResourceDeps, r: ResourceRequest, obj: KubeObject, deleted: boolean): string {
  if (!deleted || !STATUS_ON_DELETE.has(resourceKey(r.def.group, r.def.plural))) return objectBody(deps, r, obj);
  const details: Record<string, unknown> = { name: obj.metadata.name, ...(r.def.group === '' ? {} : { group: r.def.group }), kind: r.def.plural, uid: obj.metadata.uid };
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details });
}

async function patch(deps: ResourceDeps, r: ResourceRequest, name: string, req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<[number, KubeObject]> {
  const body = await readBody(req);
  const type = req.headers['content-type'] ?? '';
  const existing = deps.store.get(resourceKey(r.def.group, r.def.plural), r.namespace, name);
  if (existing === undefined) {
    if (!type.startsWith(APPLY_PATCH)) throw notFound(r.def, name);
    const created = checked(deps, r, res, params, applyPatch(r.def, { metadata: { name } } as KubeObject, type, body));
    return [201, write(deps, params, () => deps.ops.create(r.def, r.namespace, created, true))];
  }
  const patched = checked(deps, r, res, params, applyPatch(r.def, { ...existing, apiVersion: apiVersion(r) }, type, body));
  return [200, write(deps, params, () => deps.ops.update(r.def, r.namespace, name, patched, r.subresource, true, true))];
}

/** Runs a (synchronous) write, discarding it when the request says `dryRun`. */
function write<T>(deps: ResourceDeps, params: URLSearchParams, fn: () => T): T {
  return params.has('dryRun') ? deps.store.dryRun(fn) : fn();
}

async function item(deps: ResourceDeps, r: ResourceRequest, name: string, req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
  switch (req.method) {
    case 'GET': {
      const obj = deps.ops.get(r.def, r.namespace, name);
      if (wantsTable(req.headers.accept)) return sendJson(res, 200, encodeTable(deps.encoder, listQuery(r, params), { rv: deps.store.resourceVersion, items: [obj], continueToken: undefined, remaining: undefined }, deps.now()));
      reply(deps, r, req, res, 200, obj);
      return;
    }
    case 'PUT': {
      const body = checked(deps, r, res, params, await bodyOf(deps, r, req));
      reply(deps, r, req, res, 200, write(deps, params, () => deps.ops.update(r.def, r.namespace, name, body, r.subresource, false, true)));
      return;
    }
    case 'PATCH': {
      const [code, obj] = await patch(deps, r, name, req, res, params);
      reply(deps, r, req, res, code, obj);
      return;
    }
    case 'DELETE': {
      if (r.subresource !== undefined) throw methodNotAllowed();
      const bytes = await readBytes(req);
      const options = bytes.length === 0 || bytes.toString('utf8').trim() === '' ? undefined : decodeBody(deps.catalog, bytes, req.headers['content-type'], true);
      const { object, deleted } = write(deps, params, () => deps.ops.delete(r.def, r.namespace, name, options));
      if (deleted && STATUS_ON_DELETE.has(resourceKey(r.def.group, r.def.plural))) return sendJson(res, 200, deleteBody(deps, r, object, deleted));
      reply(deps, r, req, res, 200, object);
      return;
    }
    default:
      throw methodNotAllowed();
  }
}

function deleteCollection(deps: ResourceDeps, r: ResourceRequest, params: URLSearchParams, res: ServerResponse): void {
  const q = listQuery(r, params);
  const page = listPage(deps.store, { ...q, limit: undefined, continueToken: undefined });
  const gone = write(deps, params, () => page.items.map((o) => deps.ops.delete(r.def, o.metadata.namespace, o.metadata.name ?? '').object));
  sendJson(res, 200, encodeList(deps.encoder, q, { rv: deps.store.resourceVersion, items: gone, continueToken: undefined, remaining: undefined }));
}

/** Create-only review resources and the TokenRequest subresource: answered, not stored. */
async function review(deps: ResourceDeps, r: ResourceRequest, req: IncomingMessage, res: ServerResponse, user: UserInfo): Promise<void> {
  if (req.method !== 'POST') throw methodNotAllowed();
  const raw = await bodyOf(deps, r, req);
  const body = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  let out: KubeObject;
  if (r.subresource === 'token') out = tokenRequest(deps, r.def, r.namespace ?? '', r.name ?? '', body);
  else if (r.def.kind === 'TokenReview') out = tokenReview(deps, body);
  else if (r.def.kind === 'SubjectAccessReview') out = subjectAccessReview(deps, body);
  else if (r.def.kind === 'SelfSubjectAccessReview' || r.def.kind === 'LocalSubjectAccessReview') out = selfOrLocalReview(deps, r.def.kind, body, user, r.namespace);
  else if (r.def.kind === 'SelfSubjectReview') out = { kind: 'SelfSubjectReview', apiVersion: apiVersion(r), metadata: {}, status: { userInfo: { username: user.username, groups: user.groups } } };
  else throw methodNotAllowed();
  const outVersion = String(out['apiVersion']);
  sendObject(deps.catalog, req, res, 201, outVersion, String(out['kind']), out, () => JSON.stringify(out));
}

/** Dispatches a resource request by method and shape (collection or item, subresource). */
export async function handleResource(deps: ResourceDeps, r: ResourceRequest, req: IncomingMessage, res: ServerResponse, params: URLSearchParams, user: UserInfo): Promise<void> {
  if (r.def.verbs.length === 1 && r.def.verbs[0] === 'create' && r.name === undefined) return review(deps, r, req, res, user);
  if (r.subresource !== undefined && r.def.subresources.includes(r.subresource) && r.name !== undefined) return review(deps, r, req, res, user);
  if (r.subresource !== undefined && !(r.subresource === 'status' && r.def.statusSubresource)) throw pathNotFound();
  if (r.def.verbs.length === 1) throw methodNotAllowed();
  if (r.name === undefined) {
    if (req.method === 'GET') return collection(deps, r, req, res, params);
    if (req.method === 'DELETE') return deleteCollection(deps, r, params, res);
    if (req.method !== 'POST') throw methodNotAllowed();
    if (r.def.namespaced && r.namespace === undefined) throw pathNotFound();
    const body = checked(deps, r, res, params, await bodyOf(deps, r, req));
    reply(deps, r, req, res, 201, write(deps, params, () => deps.ops.create(r.def, r.namespace, body, true)));
    return;
  }
  if (r.watchPath) throw badRequest('watching a single object by path is not supported; use fieldSelector=metadata.name=<name>');
  await item(deps, r, r.name, req, res, params);
}
