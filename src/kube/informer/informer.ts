import { createSystemClock } from '../../clock/index.js';
import { runReflector } from './reflector.js';
import { applyWatchEvent, byIndex, createStore, getByKey, listAll, replaceAll } from './store.js';
import type { FieldShape, KubeClient, KubeObject, Resource } from '../client/index.js';
import type { Logger } from '../../log/index.js';
import type { Clock } from '../../clock/index.js';
import type { ReflectorOptions } from './reflector.js';
import type { Delta, Indexers } from './store.js';

/** Change callbacks; a throwing handler is logged and never stops the informer. */
export interface EventHandlers<T extends KubeObject> {
  onAdd?(obj: T): void;
  /** Also called with `old === obj`'s twin on periodic resync. */
  onUpdate?(old: T, obj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions<T extends KubeObject> {
  /** Shown by the `informer-sync` check, e.g. `pods`. Default the resource plural. */
  readonly name?: string;
  readonly client: Pick<KubeClient, 'list' | 'watch'>;
  readonly resource: Resource;
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly indexers?: Indexers<T>;
  readonly handlers?: EventHandlers<T>;
  /**
   * Applied to every listed or watched object before it is cached (client-go's `SetTransform`):
   * keep only the fields the controller reads, so memory follows the pod count, not pod size.
   * Must keep `metadata.name`, `namespace` and `resourceVersion`. Default: identity.
   */
  readonly transform?: (obj: T) => T;
  /**
   * Every field `transform` reads (it must read no other): listed and watched objects are
   * decoded to these fields only, so the parse never builds the rest. `transform` of the
   * decoded object must equal `transform` of the whole one. Default: decode whole objects.
   */
  readonly fields?: FieldShape;
  /** Re-deliver every cached object as an update this often, ms; default 0 = off. */
  readonly resyncPeriodMs?: number;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Reflector tuning (page size, watch timeouts, backoff); production defaults are client-go's. */
  readonly reflector?: Pick<ReflectorOptions<T>, 'pageSize' | 'minWatchTimeoutSeconds' | 'inactivityTimeoutMs' | 'backoff'>;
}

export interface Informer<T extends KubeObject = KubeObject> {
  readonly name: string;
  /** Lists, watches and delivers until `signal` aborts; resolves (never rejects) then. Call once. */
  run(signal: AbortSignal): Promise<void>;
  /**
   * True once a complete list is in the cache. Drops back to false when the watch history
   * expired (410) and returns with the relist's result; transient watch failures keep it
   * true, because the cache stays consistent up to the last version seen and resumes from it.
   */
  hasSynced(): boolean;
  /**
   * True from the first complete list on, for good (client-go's `HasSynced`): what readiness
   * asks. A relist after a 410 refreshes a cache that was complete, so it is no reason to
   * leave Ready (and flap the replica out of its Services) on every compaction.
   */
  hasSyncedOnce(): boolean;
  /** Resolves true when synced, false if `signal` aborts first. */
  waitForSync(signal: AbortSignal): Promise<boolean>;
  /** By `namespace/name` or `name`. */
  get(key: string): T | undefined;
  /** An object in the form this cache keeps it (`options.transform`; itself when none). */
  transform(obj: T): T;
  /** The fields `transform` reads (`options.fields`), for a list that decodes into this cache's form. */
  readonly fields: FieldShape | undefined;
  list(): T[];
  byIndex(indexName: string, value: string): T[];
  /** Adds handlers; objects already cached are delivered to `onAdd` first (client-go does the same). Returns a remover. */
  addHandlers(handlers: EventHandlers<T>): () => void;
  /** Version the cache is current to; undefined before the first list. */
  resourceVersion(): string | undefined;
  /** How many lists this informer has begun: each list's number is this count when it began. */
  listsBegun(): number;
  /**
   * The number of the list the cache was last replaced from (0 before any). A cache whose list
   * is numbered above `listsBegun()` read at some moment is a quorum snapshot requested after
   * that moment, kept current by the watch since: what a new leader's rebuild may read instead
   * of listing again (`controllers/session/rebuild.ts`).
   */
  replacedByList(): number;
}

export function createInformer<T extends KubeObject>(options: InformerOptions<T>): Informer<T> {
  const name = options.name ?? options.resource.plural;
  const clock = options.clock ?? createSystemClock();
  const logger = options.logger.child({ informer: name });
  const store = createStore<T>(options.indexers ?? {});
  const handlers = new Set<EventHandlers<T>>();
  if (options.handlers !== undefined) handlers.add(options.handlers);
  const waiters = new Set<() => void>();
  let synced = false;
  let syncedOnce = false;
  let rv: string | undefined;
  let begun = 0;
  let replacedBy = 0;

  const call = (fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      logger.error({ err }, 'informer event handler threw');
    }
  };
  const deliver = (delta: Delta<T>): void => {
    for (const h of handlers) {
      if (delta.type === 'added') call(() => h.onAdd?.(delta.object));
      else if (delta.type === 'updated') call(() => h.onUpdate?.(delta.old, delta.object));
      else call(() => h.onDelete?.(delta.object));
    }
  };
  // The reflector applies `options.transform` as objects are decoded, page by page.
  const sink = {
    listing(): void {
      begun += 1;
    },
    replace(items: T[], version: string): void {
      for (const delta of replaceAll(store, items)) deliver(delta);
      rv = version;
      // Lists of one reflector run one after another: the list completing now is the last begun.
      replacedBy = begun;
      if (!synced) logger.info({ objects: store.items.size, resourceVersion: version }, 'informer synced');
      synced = true;
      syncedOnce = true;
      for (const wake of [...waiters]) wake();
    },
    apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
      const delta = applyWatchEvent(store, type, obj);
      rv = obj.metadata.resourceVersion ?? rv;
      if (delta !== undefined) deliver(delta);
    },
    invalidate(): void {
      synced = false;
    },
  };
  const resync = (): void => {
    for (const obj of store.items.values()) deliver({ type: 'updated', old: obj, object: obj });
  };

  return {
    name,
    async run(signal) {
      const period = options.resyncPeriodMs ?? 0;
      let cancelResync = (): void => {};
      const schedule = (): void => {
        cancelResync = clock.setTimer(() => {
          if (synced) resync();
          schedule();
        }, period);
      };
      if (period > 0) schedule();
      try {
        const { client, resource, namespace, labelSelector, fieldSelector, random, transform, fields } = options;
        const target = { client, resource, namespace, labelSelector, fieldSelector, ...(transform === undefined ? {} : { transform }), fields };
        await runReflector({ ...options.reflector, ...target, sink, logger, clock, ...(random === undefined ? {} : { random }) }, signal);
      } finally {
        cancelResync();
      }
    },
    hasSynced: () => synced,
    transform: options.transform ?? ((obj) => obj),
    fields: options.fields,
    hasSyncedOnce: () => syncedOnce,
    waitForSync(signal) {
      if (synced) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (value: boolean): void => {
          waiters.delete(wake);
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        };
        const wake = (): void => done(true);
        const onAbort = (): void => done(false);
        waiters.add(wake);
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    get: (key) => getByKey(store, key),
    list: () => listAll(store),
    byIndex: (indexName, value) => byIndex(store, indexName, value),
    addHandlers(h) {
      for (const obj of store.items.values()) call(() => h.onAdd?.(obj));
      handlers.add(h);
      return () => void handlers.delete(h);
    },
    resourceVersion: () => rv,
    listsBegun: () => begun,
    replacedByList: () => replacedBy,
  };
}
