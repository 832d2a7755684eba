import { apiErrorFromStatus, createBackoff, isResourceExpired, listPages, REFLECTOR_BACKOFF, sleepUnlessAborted } from '../client/index.js';
import type { BackoffOptions, FieldShape, KubeClient, KubeObject, ListOptions, Resource, StatusBody } from '../client/index.js';
import type { Logger } from '../../log/index.js';
import type { Clock } from '../../clock/index.js';

/** Where a reflector delivers what it learns; implemented by the informer over its store. */
export interface ReflectorSink<T extends KubeObject> {
  /** A list is about to request its first page: the `replace` that follows, if any, is its result. */
  listing(): void;
  /** A complete list replaced the cache. */
  replace(items: T[], resourceVersion: string): void;
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void;
  /** The watch history is gone (410): the cache is known to have missed events until the next `replace`. */
  invalidate(): void;
}

export interface ReflectorOptions<T extends KubeObject> {
  readonly client: Pick<KubeClient, 'list' | 'watch'>;
  readonly resource: Resource;
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly sink: ReflectorSink<T>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly random?: () => number;
  /**
   * Applied to every object as it is decoded, before the sink sees it: to each listed page as it
   * arrives (so a relist holds one full page at a time, not the whole list in full), and to each
   * watched object. Default: identity.
   */
  readonly transform?: (obj: T) => T;
  /** The fields `transform` reads: listed and watched objects are decoded to these only (client `ListOptions.fields`). */
  readonly fields?: FieldShape;
  /** List page size (`limit`); default 500 like client-go. */
  readonly pageSize?: number;
  /** Watches ask `timeoutSeconds` at random in [min, 2*min); default 300 s like client-go's 5-10 min. */
  readonly minWatchTimeoutSeconds?: number;
  /** No bytes on a watch for this long ends it and reconnects, ms; default 120000; 0 = off. */
  readonly inactivityTimeoutMs?: number;
  /** Failure backoff; default client-go's 800 ms → 30 s, jitter 1.0, reset after 2 min. */
  readonly backoff?: BackoffOptions;
}

/** A watch that ends sooner than this without any event counts as a failure (client-go's "very short watch"). */
const SHORT_WATCH_MS = 1000;

type WatchEnd = { readonly kind: 'closed'; readonly events: number; readonly ms: number } | { readonly kind: 'expired' };

/** The last resourceVersion seen; advanced per event so a watch that fails midway resumes after what it delivered. */
interface Cursor {
  rv: string | undefined;
}

/**
 * List-then-watch until `signal` aborts; never gives up. A 410 (HTTP or in-band ERROR)
 * relists; every other failure (5xx, 429, refused connection, reset, inactivity) waits a
 * jittered backoff and re-watches from the last resourceVersion seen (bookmarks included),
 * which is safe: a version that became too old answers 410 and leads to a relist.
 * Resolves (never rejects) once aborted.
 */
export async function runReflector<T extends KubeObject>(options: ReflectorOptions<T>, signal: AbortSignal): Promise<void> {
  const { clock, logger } = options;
  const backoff = createBackoff(options.backoff ?? REFLECTOR_BACKOFF, options.random);
  const what = options.resource.plural;
  const cursor: Cursor = { rv: undefined };
  let lastExpired = false;
  while (!signal.aborted) {
    try {
      if (cursor.rv === undefined) cursor.rv = await listAll(options, signal);
      const end = await watchOnce(options, cursor, signal);
      if (end.kind === 'expired') {
        options.sink.invalidate();
        cursor.rv = undefined;
        // Relist at once the first time; a second 410 in a row waits, so a broken server is not hammered.
        if (lastExpired && !(await sleepUnlessAborted(clock, backoff.next(clock.now()), signal))) break;
        lastExpired = true;
        logger.info({ resource: what }, 'watch history expired (410); relisting');
        continue;
      }
      lastExpired = false;
      if (end.events === 0 && end.ms < SHORT_WATCH_MS) throw new Error(`watch closed after ${end.ms} ms without any event`);
    } catch (err) {
      if (signal.aborted) break;
      // A failed list (even an expired continue token) leaves cursor.rv undefined: it starts over.
      const delay = backoff.next(clock.now());
      logger.warn({ resource: what, err: String(err instanceof Error ? err.message : err), retryInMs: Math.round(delay) }, 'list/watch failed; retrying');
      if (!(await sleepUnlessAborted(clock, delay, signal))) break;
    }
  }
}

/**
 * Lists every page (`limit` + `continue`), transforming each page's objects as it arrives, and
 * hands the whole result to the sink; returns the list's resourceVersion.
 */
async function listAll<T extends KubeObject>(options: ReflectorOptions<T>, signal: AbortSignal): Promise<string> {
  const items: T[] = [];
  let rv = '';
  options.sink.listing();
  // The transform runs as each item is decoded: only its slim copy outlives the page.
  const pages = listPages((o: ListOptions) => options.client.list<T>(options.resource, o, options.transform), {
    namespace: options.namespace,
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
    limit: options.pageSize ?? 500,
    fields: options.fields,
    signal,
  });
  for await (const page of pages) {
    for (const item of page.items) items.push(item);
    // Every page reports the snapshot's version; the first page's is the one the watch continues from.
    if (rv === '') rv = page.resourceVersion;
  }
  if (signal.aborted) throw signal.reason as Error;
  options.sink.replace(items, rv);
  return rv;
}

async function watchOnce<T extends KubeObject>(options: ReflectorOptions<T>, cursor: Cursor, signal: AbortSignal): Promise<WatchEnd> {
  const random = options.random ?? Math.random;
  const minTimeout = options.minWatchTimeoutSeconds ?? 300;
  const startedAt = options.clock.now();
  const open = options.client.watch<T>(options.resource, {
    namespace: options.namespace,
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
    resourceVersion: cursor.rv,
    allowWatchBookmarks: true,
    timeoutSeconds: Math.floor(minTimeout * (random() + 1)),
    inactivityTimeoutMs: options.inactivityTimeoutMs ?? 120_000,
    fields: options.fields,
    signal,
  });
  // HTTP 410 on open and an in-band ERROR 410 mean the same thing: relist.
  const stream = await open.catch((err: unknown) => {
    if (isResourceExpired(err)) return undefined;
    throw err;
  });
  if (stream === undefined) return { kind: 'expired' };
  let events = 0;
  try {
    for await (const event of stream) {
      if (event.type === 'ERROR') {
        const error = apiErrorFromStatus(event.object as unknown as StatusBody);
        if (isResourceExpired(error)) return { kind: 'expired' };
        throw error;
      }
      const next = event.object.metadata.resourceVersion;
      if (event.type !== 'BOOKMARK') {
        options.sink.apply(event.type, options.transform === undefined ? event.object : options.transform(event.object));
        events += 1;
      }
      if (next !== undefined && next !== '') cursor.rv = next;
    }
  } finally {
    stream.close();
  }
  return { kind: 'closed', events, ms: options.clock.now() - startedAt };
}
