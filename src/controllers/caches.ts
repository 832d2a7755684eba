/**
 * The informers every replica runs, and the routing of their events into the current term's
 * queues through each reconciler's declared watches.
 */
import type { Clock } from '../clock/index.js';
import { byNamespace, createInformer, INDEX, RESOURCES } from '../kube/index.js';
import type { EventHandlers, KubeClient, KubeObject } from '../kube/index.js';
import type { Logger } from '../log/index.js';
import { BIND_NAMESPACE_INDEX, subnetsByBoundNamespace } from './context.js';
import type { Caches, ControllerContext, IpObject } from './context.js';
import { slimIp } from './ip/record.js';
import { slimNode } from './node/rules.js';
import type { NodeObject } from './node/rules.js';
import { POD_FIELDS, slimPod } from './pod/rules.js';
import type { Pod } from './pod/rules.js';
import type { AnyWatch, ReconcilerSpec, Watch } from './spec.js';
import type { SubnetObject } from './subnet/rules.js';

export function createCaches(deps: { client: KubeClient; logger: Logger; clock: Clock }): Caches {
  const pods = createInformer<Pod>({ ...deps, resource: RESOURCES.pods, indexers: { [INDEX.namespace]: byNamespace }, transform: slimPod, fields: POD_FIELDS });
  const namespaces = createInformer<KubeObject>({ ...deps, resource: RESOURCES.namespaces });
  const subnets = createInformer<SubnetObject>({ ...deps, resource: RESOURCES.subnets, indexers: { [BIND_NAMESPACE_INDEX]: subnetsByBoundNamespace } });
  const ips = createInformer<IpObject>({ ...deps, resource: RESOURCES.ips, transform: slimIp });
  const nodes = createInformer<NodeObject>({ ...deps, resource: RESOURCES.nodes, transform: slimNode });
  return { pods, namespaces, subnets, ips, nodes };
}

/** Where routed keys go: the current term, when its workers run. */
export interface Route {
  readonly ctx: ControllerContext;
  add(name: string, key: string): void;
}

function handlersFor(name: string, w: Watch<'pods'>, current: () => Route | undefined): EventHandlers<Pod> {
  const deliver = (keys: (ctx: ControllerContext) => readonly string[]): void => {
    const route = current();
    if (route === undefined) return;
    for (const key of keys(route.ctx)) route.add(name, key);
  };
  const { onAdd, onUpdate, onDelete } = w;
  return {
    ...(onAdd === undefined ? {} : { onAdd: (obj: Pod) => deliver((ctx) => onAdd(obj, ctx)) }),
    ...(onUpdate === undefined ? {} : { onUpdate: (old: Pod, obj: Pod) => deliver((ctx) => onUpdate(old, obj, ctx)) }),
    ...(onDelete === undefined ? {} : { onDelete: (obj: Pod) => deliver((ctx) => onDelete(obj, ctx)) }),
  };
}

/** Registers every spec's watches on the caches, in spec order; `current` is read at each event. */
export function routeWatches(caches: Caches, specs: readonly ReconcilerSpec[], current: () => Route | undefined): void {
  for (const spec of specs) {
    for (const w of spec.watches as readonly AnyWatch[]) {
      // One cast for the whole table: each watch's object type is tied to its cache by `Watch<K>`,
      // which TypeScript cannot follow through an index by a union key.
      const informer = caches[w.cache] as unknown as { addHandlers(h: EventHandlers<Pod>): void };
      informer.addHandlers(handlersFor(spec.name, w as unknown as Watch<'pods'>, current));
    }
  }
}
