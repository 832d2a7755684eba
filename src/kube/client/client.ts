import { createSystemClock } from '../../clock/index.js';
import { buildEvent } from './events.js';
import { createRequester, DEFAULT_RETRY_POLICY } from './request.js';
import { decodeListBody, peekListMeta } from './list-body.js';
import { apiVersionOf, resourcePath, RESOURCES } from './resources.js';
import { createTransport } from './transport.js';
import { decodeWatch } from './watch.js';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../log/index.js';
import type { Clock } from '../../clock/index.js';
import type { EventInput } from './events.js';
import type { PageBuffer } from './page-buffer.js';
import type { RestInstruments, RetryPolicy } from './request.js';
import type { Resource } from './resources.js';
import type { FieldShape } from './projection.js';
import type { HttpRequest, Transport } from './transport.js';
import type { KubeList, KubeObject } from './types.js';
import type { WatchStream } from './watch.js';

export interface ObjectOptions {
  /** Required for namespaced resources. */
  readonly namespace?: string;
  readonly signal?: AbortSignal;
}

export interface PatchOptions extends ObjectOptions {
  readonly subresource?: 'status';
  /** Do not decode the answer (see `mergePatch`). */
  readonly discard?: boolean;
}

export interface ListOptions extends ObjectOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Page size; the server returns a `continue` token when more remain. */
  readonly limit?: number;
  readonly continue?: string;
  /** `''` = most recent (quorum read); `'0'` = any cached version. */
  readonly resourceVersion?: string;
  /**
   * Decode only these fields of each item (`projection.ts`): for a caller whose `map` reads no
   * others, such as an informer's slim transform. Items come back with just these fields.
   */
  readonly fields?: FieldShape;
  /** Read the answer into this buffer, reused across one list's pages; the items never refer to it. */
  readonly pageBuffer?: PageBuffer;
  /**
   * Called with the page's continue token as soon as its bytes have arrived, before its items
   * are decoded (when the metadata leads the body, as API servers write it): a paging caller
   * requests the next page from here, so the server prepares it while this one is decoded. The
   * page then resolves with this same token.
   */
  readonly prefetch?: (continueToken: string) => void;
}

export interface WatchOptions extends ObjectOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly resourceVersion?: string;
  readonly allowWatchBookmarks?: boolean;
  /** Server ends the stream cleanly after this many seconds. */
  readonly timeoutSeconds?: number;
  /** Client ends the stream with `WatchInactivityError` after this many ms without bytes; default 120000 (real servers send a bookmark about every minute); 0 = off. */
  readonly inactivityTimeoutMs?: number;
  /** Decode only these fields of each event's object, as `ListOptions.fields`. */
  readonly fields?: FieldShape;
}

export interface DeleteOptions extends ObjectOptions {
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
}

/** The typed API surface the controllers use. Errors are `ApiError` (HTTP) or `Error` with `cause` (transport). */
export interface KubeClient {
  /** `host[:port]` of the API server. */
  readonly host: string;
  /**
   * One page of a list. `map` (pure) turns each item into what the caller keeps, as the item is
   * decoded: an informer's slim copy, so the full item is garbage before the next one is parsed.
   */
  list<T extends KubeObject = KubeObject, U extends KubeObject = T>(resource: Resource, options?: ListOptions, map?: (item: T) => U): Promise<KubeList<U>>;
  /** Opens a watch; rejects with `ApiError` (e.g. 410) when the server refuses it. Not retried: the reflector owns that. */
  watch<T extends KubeObject = KubeObject>(resource: Resource, options?: WatchOptions): Promise<WatchStream<T>>;
  get<T extends KubeObject = KubeObject>(resource: Resource, name: string, options?: ObjectOptions & { subresource?: 'status' }): Promise<T>;
  /** POST; the namespace defaults to `obj.metadata.namespace`. */
  create<T extends KubeObject = KubeObject>(resource: Resource, obj: T, options?: ObjectOptions): Promise<T>;
  /** PUT of the whole object; `metadata.resourceVersion` makes it conditional (409 when stale). */
  replace<T extends KubeObject = KubeObject>(resource: Resource, obj: T, options?: ObjectOptions & { subresource?: 'status' }): Promise<T>;
  /**
   * PATCH with `application/merge-patch+json` (RFC 7386: null deletes a key, arrays are replaced).
   * With `discard`, resolves without reading the answer as JSON: a pod's is ~9 KB to decode per write.
   */
  mergePatch(resource: Resource, name: string, patch: unknown, options: PatchOptions & { readonly discard: true }): Promise<void>;
  mergePatch<T extends KubeObject = KubeObject>(resource: Resource, name: string, patch: unknown, options?: PatchOptions): Promise<T>;
  /** DELETE; resolves with the object (finalizers pending) or the server's Status. */
  delete(resource: Resource, name: string, options?: DeleteOptions): Promise<KubeObject>;
  /** Creates a core/v1 Event (see `buildEvent`). */
  createEvent(input: EventInput, options?: { signal?: AbortSignal }): Promise<KubeObject>;
}

export interface KubeClientOptions {
  readonly kubeconfig: KubeConfig;
  readonly logger: Logger;
  readonly instruments?: RestInstruments;
  /** Time seam for request durations, event timestamps and retry waits; default the system clock. */
  readonly clock?: Clock;
  readonly retry?: Partial<RetryPolicy>;
  /** Bound on one non-watch request, ms; default 60000. */
  readonly requestTimeoutMs?: number;
  /** For tests: replaces the HTTP layer built from `kubeconfig`. */
  readonly transport?: Transport;
  readonly random?: () => number;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

function describe(resource: Resource, verb: string, name?: string, namespace?: string): string {
  const target = name === undefined ? resource.plural : `${resource.plural} ${namespace === undefined || namespace === '' ? '' : `${namespace}/`}${name}`;
  return `${verb} ${target}`;
}

/**
 * A request's signal: aborts with `parent` or with a `TimeoutError` after `timeoutMs`. Released
 * when the request settles: `AbortSignal.timeout` would keep a timer (and `AbortSignal.any` a
 * dependent of the term's signal) alive for the whole timeout after every finished request —
 * thousands of them during a burst.
 */
export function requestDeadline(timeoutMs: number, parent?: AbortSignal): { signal: AbortSignal; release(): void } {
  const ctl = new AbortController();
  const onAbort = (): void => ctl.abort(parent?.reason);
  if (parent?.aborted === true) onAbort();
  else parent?.addEventListener('abort', onAbort, { once: true });
  // Wall time, as `AbortSignal.timeout` was, not the injected clock: the clock paces retries
  // (tests drive it), the deadline bounds real I/O. Unref'd: it never holds the process up.
  const timer = setTimeout(() => ctl.abort(new DOMException(`request timed out after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs).unref();
  return {
    signal: ctl.signal,
    release() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * The controller's API client: typed helpers over our own HTTP layer (see `createTransport`),
 * every request counted in `rest_client_*`, reads retried on 5xx/transport errors (default
 * 5 times, 200 ms doubling), any verb retried on 429 after `Retry-After` (capped at 30 s).
 * Objects stay plain JSON (string timestamps). Throws only if the kubeconfig has no cluster.
 */
export function createKubeClient(options: KubeClientOptions): KubeClient {
  const clock = options.clock ?? createSystemClock();
  const transport = options.transport ?? createTransport(options.kubeconfig);
  const common = {
    transport,
    logger: options.logger,
    clock,
    ...(options.instruments === undefined ? {} : { instruments: options.instruments }),
    ...(options.random === undefined ? {} : { random: options.random }),
  };
  const requester = createRequester({ ...common, retry: { ...DEFAULT_RETRY_POLICY, ...options.retry } });
  // Watches are not retried here: the reflector owns reconnect policy and backoff.
  const watchRequester = createRequester({ ...common, retry: { ...DEFAULT_RETRY_POLICY, maxRetries: 0 } });
  const timeoutMs = options.requestTimeoutMs ?? 60_000;
  /** Runs one request under `signal` and the request timeout, releasing both when it settles. */
  const bounded = <T>(signal: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const deadline = requestDeadline(timeoutMs, signal);
    return run(deadline.signal).finally(deadline.release);
  };
  const jsonBody = (contentType: string) => ({ 'Content-Type': contentType });
  let eventSeq = 0;

  const client: KubeClient = {
    host: transport.host,
    async list<T extends KubeObject, U extends KubeObject = T>(resource: Resource, o: ListOptions = {}, map?: (item: T) => U): Promise<KubeList<U>> {
      const path = resourcePath(resource, { namespace: o.namespace }) + query({ labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit, continue: o.continue, resourceVersion: o.resourceVersion });
      const body = await bounded(o.signal, (signal) => requester.bytes({ method: 'GET', path, signal }, describe(resource, 'list'), o.pageBuffer));
      const each = map === undefined ? (item: T) => withKind(item, resource) as unknown as U : (item: T) => map(withKind(item, resource));
      // An empty token, like none, means this is the last page.
      const early = o.prefetch === undefined ? undefined : peekListMeta(body)?.continue || undefined;
      if (early !== undefined) o.prefetch?.(early);
      const { items, metadata } = decodeListBody(body, each, o.fields);
      const cont = early ?? metadata?.continue;
      return { items, resourceVersion: metadata?.resourceVersion ?? '', ...(cont === undefined || cont === '' ? {} : { continue: cont }) };
    },
    async watch<T extends KubeObject>(resource: Resource, o: WatchOptions = {}): Promise<WatchStream<T>> {
      const path = resourcePath(resource, { namespace: o.namespace }) + query({ watch: 'true', labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, resourceVersion: o.resourceVersion, allowWatchBookmarks: o.allowWatchBookmarks, timeoutSeconds: o.timeoutSeconds });
      const inactivityMs = o.inactivityTimeoutMs ?? 120_000;
      // The inactivity timer starts with the body; until then a server that accepted the
      // connection but never answers would hold the watch forever, so bound the headers too.
      const headers = new AbortController();
      const cancel = inactivityMs > 0 ? clock.setTimer(() => headers.abort(new Error(`watch ${resource.plural}: no response within ${inactivityMs} ms`)), inactivityMs) : () => {};
      const signal = o.signal === undefined ? headers.signal : AbortSignal.any([o.signal, headers.signal]);
      try {
        const response = await watchRequester.send({ method: 'GET', path, signal }, describe(resource, 'watch'));
        return decodeWatch<T>(response.body, inactivityMs, o.fields);
      } finally {
        cancel();
      }
    },
    async get<T extends KubeObject>(resource: Resource, name: string, o: ObjectOptions & { subresource?: 'status' } = {}): Promise<T> {
      const path = resourcePath(resource, { namespace: o.namespace, name, subresource: o.subresource });
      return bounded(o.signal, (signal) => requester.json<T>({ method: 'GET', path, signal }, describe(resource, 'get', name, o.namespace)));
    },
    async create<T extends KubeObject>(resource: Resource, obj: T, o: ObjectOptions = {}): Promise<T> {
      const namespace = o.namespace ?? obj.metadata.namespace;
      const path = resourcePath(resource, { namespace });
      const body = JSON.stringify({ apiVersion: apiVersionOf(resource), kind: resource.kind, ...obj });
      return bounded(o.signal, (signal) => requester.json<T>({ method: 'POST', path, body, headers: jsonBody('application/json'), signal }, describe(resource, 'create', obj.metadata.name ?? obj.metadata.generateName, namespace)));
    },
    async replace<T extends KubeObject>(resource: Resource, obj: T, o: ObjectOptions & { subresource?: 'status' } = {}): Promise<T> {
      const namespace = o.namespace ?? obj.metadata.namespace;
      const name = obj.metadata.name ?? '';
      const path = resourcePath(resource, { namespace, name, subresource: o.subresource });
      const body = JSON.stringify({ apiVersion: apiVersionOf(resource), kind: resource.kind, ...obj });
      return bounded(o.signal, (signal) => requester.json<T>({ method: 'PUT', path, body, headers: jsonBody('application/json'), signal }, describe(resource, 'replace', name, namespace)));
    },
    async mergePatch<T extends KubeObject>(resource: Resource, name: string, patch: unknown, o: PatchOptions = {}): Promise<T> {
      const path = resourcePath(resource, { namespace: o.namespace, name, subresource: o.subresource });
      const request = (signal: AbortSignal): HttpRequest => ({ method: 'PATCH', path, body: JSON.stringify(patch), headers: jsonBody('application/merge-patch+json'), signal });
      const what = describe(resource, 'patch', name, o.namespace);
      if (o.discard === true) return bounded(o.signal, (signal) => requester.discard(request(signal), what)) as Promise<never>;
      return bounded(o.signal, (signal) => requester.json<T>(request(signal), what));
    },
    async delete(resource: Resource, name: string, o: DeleteOptions = {}): Promise<KubeObject> {
      const path = resourcePath(resource, { namespace: o.namespace, name });
      const deleteOptions = { apiVersion: 'v1', kind: 'DeleteOptions', ...(o.preconditions === undefined ? {} : { preconditions: o.preconditions }), ...(o.propagationPolicy === undefined ? {} : { propagationPolicy: o.propagationPolicy }) };
      return bounded(o.signal, (signal) => requester.json<KubeObject>({ method: 'DELETE', path, body: JSON.stringify(deleteOptions), headers: jsonBody('application/json'), signal }, describe(resource, 'delete', name, o.namespace)));
    },
    async createEvent(input: EventInput, o: { signal?: AbortSignal } = {}): Promise<KubeObject> {
      eventSeq += 1;
      const event = buildEvent(input, clock.now(), eventSeq);
      return client.create(RESOURCES.events, event, o.signal === undefined ? {} : { signal: o.signal });
    },
  };
  return client;
}

/** List items of built-in resources carry no kind/apiVersion; fill them so handlers can tell objects apart. */
function withKind<T extends KubeObject>(item: T, resource: Resource): T {
  if (item.kind === undefined) item.kind = resource.kind;
  if (item.apiVersion === undefined) item.apiVersion = apiVersionOf(resource);
  return item;
}

