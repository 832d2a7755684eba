import type { KubeObject } from '../client/index.js';

/** Index functions by index name: each maps an object to the index values it is filed under. */
export type Indexers<T extends KubeObject = KubeObject> = Readonly<Record<string, (obj: T) => readonly string[]>>;

/**
 * An informer's cache as plain data: objects by key plus, per index, value → keys. Changed
 * only by `applyWatchEvent` and `replaceAll`, synchronous and deterministic (kube-rs
 * `reflector/store.rs`), so the reflector's I/O stays outside and the logic is unit-testable.
 */
export interface StoreState<T extends KubeObject = KubeObject> {
  readonly items: Map<string, T>;
  readonly indices: Map<string, Map<string, Set<string>>>;
  readonly indexers: Indexers<T>;
}

/** What a change did to the cache; handlers receive exactly these. */
export type Delta<T extends KubeObject = KubeObject> =
  | { readonly type: 'added'; readonly object: T }
  | { readonly type: 'updated'; readonly old: T; readonly object: T }
  | { readonly type: 'deleted'; readonly object: T };

/** client-go's `MetaNamespaceKeyFunc`: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace === undefined || namespace === '' ? (name ?? '') : `${namespace}/${name ?? ''}`;
}

export function createStore<T extends KubeObject>(indexers: Indexers<T> = {}): StoreState<T> {
  const indices = new Map<string, Map<string, Set<string>>>();
  for (const name of Object.keys(indexers)) indices.set(name, new Map());
  return { items: new Map(), indices, indexers };
}

function unindex<T extends KubeObject>(state: StoreState<T>, key: string, obj: T): void {
  for (const [name, fn] of Object.entries(state.indexers)) {
    const index = state.indices.get(name);
    for (const value of fn(obj)) {
      const keys = index?.get(value);
      keys?.delete(key);
      if (keys?.size === 0) index?.delete(value);
    }
  }
}

function index<T extends KubeObject>(state: StoreState<T>, key: string, obj: T): void {
  for (const [name, fn] of Object.entries(state.indexers)) {
    const idx = state.indices.get(name) ?? new Map<string, Set<string>>();
    state.indices.set(name, idx);
    for (const value of fn(obj)) {
      const keys = idx.get(value) ?? new Set<string>();
      keys.add(key);
      idx.set(value, keys);
    }
  }
}

function put<T extends KubeObject>(state: StoreState<T>, obj: T): Delta<T> {
  const key = objectKey(obj);
  const old = state.items.get(key);
  if (old !== undefined) unindex(state, key, old);
  state.items.set(key, obj);
  index(state, key, obj);
  return old === undefined ? { type: 'added', object: obj } : { type: 'updated', old, object: obj };
}

function remove<T extends KubeObject>(state: StoreState<T>, key: string): T | undefined {
  const old = state.items.get(key);
  if (old === undefined) return undefined;
  unindex(state, key, old);
  state.items.delete(key);
  return old;
}

/**
 * Applies one ADDED/MODIFIED/DELETED event. ADDED of a known key is an update and MODIFIED
 * of an unknown key an add (after a relist either can happen). DELETED of an unknown key
 * changes nothing and returns undefined, as client-go's DeltaFIFO drops it.
 */
export function applyWatchEvent<T extends KubeObject>(state: StoreState<T>, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): Delta<T> | undefined {
  if (type !== 'DELETED') return put(state, obj);
  const old = remove(state, objectKey(obj));
  return old === undefined ? undefined : { type: 'deleted', object: obj };
}

/**
 * Replaces the whole cache with a fresh list. Returns deletes for objects that vanished,
 * adds for new ones and updates for ones whose resourceVersion changed, so handlers see
 * every change that a gap in the watch (410, reconnect) hid from them.
 */
export function replaceAll<T extends KubeObject>(state: StoreState<T>, items: readonly T[]): Delta<T>[] {
  const deltas: Delta<T>[] = [];
  const fresh = new Map<string, T>();
  for (const obj of items) fresh.set(objectKey(obj), obj);
  for (const [key, old] of [...state.items]) {
    if (!fresh.has(key)) {
      remove(state, key);
      deltas.push({ type: 'deleted', object: old });
    }
  }
  for (const obj of fresh.values()) {
    const old = state.items.get(objectKey(obj));
    if (old !== undefined && old.metadata.resourceVersion === obj.metadata.resourceVersion) continue;
    deltas.push(put(state, obj));
  }
  return deltas;
}

export function getByKey<T extends KubeObject>(state: StoreState<T>, key: string): T | undefined {
  return state.items.get(key);
}

export function listAll<T extends KubeObject>(state: StoreState<T>): T[] {
  return [...state.items.values()];
}

/** Objects filed under `value` in index `indexName`; throws for an index that was never declared (a bug). */
export function byIndex<T extends KubeObject>(state: StoreState<T>, indexName: string, value: string): T[] {
  const idx = state.indices.get(indexName);
  if (idx === undefined) throw new Error(`informer index "${indexName}" does not exist; declared: ${Object.keys(state.indexers).join(', ') || 'none'}`);
  const out: T[] = [];
  for (const key of idx.get(value) ?? []) {
    const obj = state.items.get(key);
    if (obj !== undefined) out.push(obj);
  }
  return out;
}

/** Index values currently in use for `indexName` (e.g. every node that has pods). */
export function indexValues<T extends KubeObject>(state: StoreState<T>, indexName: string): string[] {
  return [...(state.indices.get(indexName)?.keys() ?? [])];
}
