/**
 * A fake ControllerContext for reconciler unit tests: caches that hold what the test puts in,
 * an API client over an in-memory store that records every write, a fake clock, and an
 * `Enqueue` that records instead of queueing. Nothing listens, nothing sleeps.
 */
import type { NodeObject } from '../../src/controllers/node/rules.js';
import type { NbNetwork } from '../../src/ovn/index.js';
import { apply as applyMergePatch } from 'json-merge-patch';
import { createIpam } from '../../src/ipam/index.js';
import { ApiError, RESOURCES } from '../../src/kube/index.js';
import type { EventHandlers, Indexers, Informer, KubeClient, KubeList, KubeObject, Resource } from '../../src/kube/index.js';
import { createLogger } from '../../src/log/index.js';
import { BIND_NAMESPACE_INDEX, subnetsByBoundNamespace } from '../../src/controllers/context.js';
import type { Caches, ControllerContext, Enqueue, IpObject } from '../../src/controllers/context.js';
import { createEventRecorder } from '../../src/controllers/events.js';
import { createIpWriteLog } from '../../src/controllers/ip/write-log.js';
import { createPodBook } from '../../src/controllers/pod/book.js';
import { NO_POD_NETWORK } from '../../src/controllers/pod/network.js';
import type { PodNetwork } from '../../src/controllers/pod/network.js';
import type { Pod } from '../../src/controllers/pod/rules.js';
import type { SubnetObject } from '../../src/controllers/subnet/rules.js';
import { noopInstruments } from '../../src/telemetry/noop-instruments.js';
import type { Instruments } from '../../src/telemetry/instruments.js';
import { testConfig } from './support.js';
import { createFakeClock } from '../support/fake-clock.js';
import type { FakeClock } from '../support/fake-clock.js';

const keyOf = (obj: KubeObject): string => (obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name ?? ''}` : (obj.metadata.name ?? ''));
const clone = <T>(v: T): T => structuredClone(v);

/** An informer whose content the test sets; always synced. */
export interface FakeCache<T extends KubeObject> extends Informer<T> {
  put(obj: T): void;
  remove(key: string): void;
}

export function fakeCache<T extends KubeObject>(name: string, indexers: Indexers<T> = {}): FakeCache<T> {
  const items = new Map<string, T>();
  return {
    name,
    run: async () => {},
    hasSynced: () => true,
    hasSyncedOnce: () => true,
    waitForSync: async () => true,
    get: (key) => items.get(key),
    transform: (obj) => obj,
    fields: undefined,
    list: () => [...items.values()],
    byIndex: (index, value) => [...items.values()].filter((o) => indexers[index]?.(o).includes(value) === true),
    addHandlers: (_h: EventHandlers<T>) => () => {},
    resourceVersion: () => '1',
    // Listed before any term began: a rebuild lists again.
    listsBegun: () => 1,
    replacedByList: () => 1,
    put: (obj) => void items.set(keyOf(obj), clone(obj)),
    remove: (key) => void items.delete(key),
  };
}

export interface Write {
  readonly verb: 'create' | 'mergePatch' | 'delete' | 'get';
  readonly resource: string;
  readonly name: string;
  readonly body?: unknown;
  readonly subresource?: string;
}

/** The API server side: objects by `plural/key`, every request recorded, failures injectable. */
export interface FakeClient extends KubeClient {
  readonly writes: Write[];
  /** Objects the server holds. */
  stored(resource: Resource, key: string): KubeObject | undefined;
  all(resource: Resource): KubeObject[];
  seed(resource: Resource, obj: KubeObject): void;
  /** The next request of `verb` fails with `err`. */
  failNext(verb: Write['verb'], err: Error): void;
}

function notFound(what: string): ApiError {
  return new ApiError(404, 'NotFound', `${what} not found`);
}

export function fakeClient(): FakeClient {
  const store = new Map<string, KubeObject>();
  const writes: Write[] = [];
  const failures = new Map<Write['verb'], Error>();
  let rv = 100;
  const at = (r: Resource, key: string): string => `${r.plural}/${key}`;
  const keyIn = (name: string, namespace?: string): string => (namespace ? `${namespace}/${name}` : name);
  const check = (verb: Write['verb']): void => {
    const err = failures.get(verb);
    failures.delete(verb);
    if (err !== undefined) throw err;
  };
  return {
    host: 'fake',
    writes,
    stored: (r, key) => store.get(at(r, key)),
    all: (r) => [...store.entries()].filter(([k]) => k.startsWith(`${r.plural}/`)).map(([, v]) => clone(v)),
    seed: (r, obj) => void store.set(at(r, keyOf(obj)), clone(obj)),
    failNext: (verb, err) => void failures.set(verb, err),
    async list<T extends KubeObject, U extends KubeObject = T>(r: Resource, _o?: unknown, map?: (item: T) => U): Promise<KubeList<U>> {
      const items = this.all(r) as T[];
      return { items: (map === undefined ? items : items.map(map)) as U[], resourceVersion: String(rv) };
    },
    watch: () => Promise.reject(new Error('fake client: no watches in unit tests')),
    async get<T extends KubeObject>(r: Resource, name: string, o: { namespace?: string } = {}): Promise<T> {
      writes.push({ verb: 'get', resource: r.plural, name: keyIn(name, o.namespace) });
      check('get');
      const obj = store.get(at(r, keyIn(name, o.namespace)));
      if (obj === undefined) throw notFound(`${r.plural} ${name}`);
      return clone(obj) as T;
    },
    async create<T extends KubeObject>(r: Resource, obj: T): Promise<T> {
      writes.push({ verb: 'create', resource: r.plural, name: keyOf(obj), body: clone(obj) });
      check('create');
      if (store.has(at(r, keyOf(obj)))) throw new ApiError(409, 'AlreadyExists', `${r.plural} ${keyOf(obj)} already exists`);
      const created = { ...clone(obj), metadata: { ...obj.metadata, resourceVersion: String(++rv), uid: `uid-${rv}` } };
      store.set(at(r, keyOf(obj)), created);
      return clone(created);
    },
    replace: () => Promise.reject(new Error('fake client: replace is not used by the reconcilers')),
    async mergePatch<T extends KubeObject>(r: Resource, name: string, patch: unknown, o: { namespace?: string; subresource?: string } = {}): Promise<T> {
      const key = keyIn(name, o.namespace);
      writes.push({ verb: 'mergePatch', resource: r.plural, name: key, body: clone(patch), ...(o.subresource === undefined ? {} : { subresource: o.subresource }) });
      check('mergePatch');
      const current = store.get(at(r, key));
      if (current === undefined) throw notFound(`${r.plural} ${key}`);
      const next = applyMergePatch(clone(current), clone(patch)) as KubeObject;
      next.metadata.resourceVersion = String(++rv);
      store.set(at(r, key), next);
      return clone(next) as T;
    },
    async delete(r: Resource, name: string, o: { namespace?: string } = {}): Promise<KubeObject> {
      const key = keyIn(name, o.namespace);
      writes.push({ verb: 'delete', resource: r.plural, name: key });
      check('delete');
      const current = store.get(at(r, key));
      if (current === undefined) throw notFound(`${r.plural} ${key}`);
      store.delete(at(r, key));
      return current;
    },
    createEvent: async () => ({ metadata: { name: 'event' } }),
  };
}

/** What the reconcilers enqueued, by queue. */
export interface Enqueued {
  readonly pod: string[];
  readonly subnet: string[];
  readonly subnetStatus: string[];
  readonly ip: string[];
}

export interface FakeContext {
  readonly ctx: ControllerContext;
  readonly caches: { pods: FakeCache<Pod>; namespaces: FakeCache<KubeObject>; subnets: FakeCache<SubnetObject>; ips: FakeCache<IpObject>; nodes: FakeCache<NodeObject> };
  readonly client: FakeClient;
  readonly clock: FakeClock;
  readonly enqueued: Enqueued;
  /** Copies what the server holds into the caches, as the informers would deliver it. */
  deliver(): void;
}

export function fakeContext(options: { podNetwork?: PodNetwork; instruments?: Instruments; nb?: NbNetwork } = {}): FakeContext {
  const caches = {
    pods: fakeCache<Pod>('pods'),
    namespaces: fakeCache<KubeObject>('namespaces'),
    subnets: fakeCache<SubnetObject>('subnets', { [BIND_NAMESPACE_INDEX]: subnetsByBoundNamespace }),
    ips: fakeCache<IpObject>('ips'),
    nodes: fakeCache<NodeObject>('nodes'),
  };
  const client = fakeClient();
  const clock = createFakeClock(Date.parse('2026-01-02T03:04:05Z'));
  const logger = createLogger({ level: 'silent' });
  const enqueued: Enqueued = { pod: [], subnet: [], subnetStatus: [], ip: [] };
  const enqueue: Enqueue = {
    pod: (k) => void enqueued.pod.push(k),
    subnet: (k) => void enqueued.subnet.push(k),
    subnetStatus: (k) => void enqueued.subnetStatus.push(k),
    ip: (k) => void enqueued.ip.push(k),
  };
  const term = { ipam: createIpam({ random: (b: Uint8Array) => b.fill(7) }), pods: createPodBook(enqueue.pod), ipWrites: createIpWriteLog() };
  const events = createEventRecorder({ client, logger, clock });
  const ctx: ControllerContext = {
    config: testConfig(),
    client,
    caches: caches as Caches,
    term,
    events,
    logger,
    clock,
    instruments: options.instruments ?? noopInstruments(),
    enqueue,
    podNetwork: options.podNetwork ?? NO_POD_NETWORK,
    ...(options.nb === undefined ? {} : { nb: options.nb }),
  };
  const deliver = (): void => {
    const pairs = [
      [RESOURCES.pods, caches.pods],
      [RESOURCES.subnets, caches.subnets],
      [RESOURCES.ips, caches.ips],
      [RESOURCES.nodes, caches.nodes],
    ] as const;
    for (const [resource, cache] of pairs) {
      for (const old of cache.list()) cache.remove(keyOf(old));
      for (const obj of client.all(resource)) (cache as FakeCache<KubeObject>).put(obj);
    }
  };
  return { ctx, caches, client, clock, enqueued, deliver };
}
