import { objectKey } from './types.js';
import type { KubeObject, StoreEvent, WatchEventType } from './types.js';

/** Why a watch or continue token from `rv` can no longer be served. */
export type HistoryCheck = { ok: true } | { ok: false; current: number };

interface Collection {
  readonly items: Map<string, KubeObject>;
  /** Keys in lexical order, rebuilt lazily after creates/deletes (etcd lists in key order). */
  sorted: string[] | undefined;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

/**
 * Objects per resource (`plural.group`) keyed by `namespace/name`, one global resourceVersion,
 * and a ring of the last `historyLimit` events. Every RV bump records exactly one event, so
 * event `rv` sits at ring slot `rv % historyLimit` and resuming a watch is O(events missed).
 */
export class Store {
  private readonly collections = new Map<string, Collection>();
  private readonly ring: Array<StoreEvent | undefined>;
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private rv: number;
  /** Lowest RV a watch may resume from (raised by compaction and by state loading). */
  private floor: number;
  private discardWrites = false;

  /**
   * `freeze`: deep-freeze every stored object, so code that mutates one (every write must store
   * a new object, sharing only unchanged parts) throws instead of corrupting history. For tests.
   */
  constructor(readonly historyLimit = 10_000, startRv = 1, private readonly freeze = false) {
    if (!Number.isInteger(historyLimit) || historyLimit < 1) throw new Error(`historyLimit: expected a positive integer, got ${historyLimit}`);
    this.ring = new Array<StoreEvent | undefined>(historyLimit);
    this.rv = startRv;
    this.floor = startRv;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  private collection(resource: string): Collection {
    let c = this.collections.get(resource);
    if (c === undefined) {
      c = { items: new Map(), sorted: undefined };
      this.collections.set(resource, c);
    }
    return c;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.collections.get(resource)?.items.get(objectKey(namespace, name));
  }

  /** Objects in key order, optionally only one namespace's, starting after `afterKey`. */
  *list(resource: string, namespace?: string, afterKey?: string): Generator<[string, KubeObject]> {
    const c = this.collections.get(resource);
    if (c === undefined) return;
    c.sorted ??= [...c.items.keys()].sort();
    const keys = c.sorted;
    const prefix = namespace === undefined ? '' : `${namespace}/`;
    const from = afterKey ?? prefix;
    let lo = 0;
    let hi = keys.length;
    const strict = afterKey !== undefined;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid] ?? '';
      if (strict ? k <= from : k < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < keys.length; i++) {
      const key = keys[i] ?? '';
      if (!key.startsWith(prefix)) return;
      const obj = c.items.get(key);
      if (obj !== undefined) yield [key, obj];
    }
  }

  count(resource: string): number {
    return this.collections.get(resource)?.items.size ?? 0;
  }

  resources(): string[] {
    return [...this.collections.keys()];
  }

  /** Next RV to stamp on an object about to be written with `write`. */
  nextRv(): number {
    return this.rv + 1;
  }

  /** True inside `dryRun`: hooks with side effects outside the store must not run. */
  get discarding(): boolean {
    return this.discardWrites;
  }

  /** Runs `fn` with writes discarded (`?dryRun=All`): validation and responses as usual, no state change. */
  dryRun<T>(fn: () => T): T {
    this.discardWrites = true;
    try {
      return fn();
    } finally {
      this.discardWrites = false;
    }
  }

  /** Stores `object` (whose metadata.resourceVersion must be `nextRv()`) and records the event. */
  write(type: WatchEventType, resource: string, object: KubeObject, prev: KubeObject | undefined): void {
    if (this.discardWrites) return;
    if (this.freeze) deepFreeze(object);
    const c = this.collection(resource);
    const key = objectKey(object.metadata.namespace, object.metadata.name ?? '');
    this.rv += 1;
    if (type === 'DELETED') {
      c.items.delete(key);
      c.sorted = undefined;
    } else {
      if (!c.items.has(key)) c.sorted = undefined;
      c.items.set(key, object);
    }
    const event: StoreEvent = { rv: this.rv, type, resource, object, prev };
    this.ring[this.rv % this.historyLimit] = event;
    for (const listener of this.listeners) listener(event);
  }

  /** Puts an object back without an event (state loading); call `restoreRv` afterwards. */
  restore(resource: string, object: KubeObject): void {
    const c = this.collection(resource);
    c.items.set(objectKey(object.metadata.namespace, object.metadata.name ?? ''), object);
    c.sorted = undefined;
  }

  restoreRv(rv: number): void {
    this.rv = Math.max(this.rv, rv);
    this.floor = this.rv;
    this.ring.fill(undefined);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets all history: a watch or continue token from any RV before now gets 410. */
  compact(): void {
    this.floor = this.rv;
    this.ring.fill(undefined);
  }

  /** Whether events after `rv` are all still known. */
  checkHistory(rv: number): HistoryCheck {
    const oldest = Math.max(this.floor, this.rv - this.historyLimit);
    return rv >= oldest ? { ok: true } : { ok: false, current: this.rv };
  }

  /** Events with RV in (rv, now], oldest first; call only after `checkHistory(rv)` is ok. */
  *since(rv: number): Generator<StoreEvent> {
    for (let r = Math.max(rv, 0) + 1; r <= this.rv; r++) {
      const e = this.ring[r % this.historyLimit];
      if (e !== undefined && e.rv === r) yield e;
    }
  }
}
