/**
 * The pod reconciler: "pod gets its network". Watches pods (and subnets, for parked pods),
 * reserves an address, programs the network step, writes the annotations the CNI waits for,
 * and releases when the pod is gone or finished.
 */
import { CONTROLLER_NAMES } from '../constants.js';
import type { ControllerContext } from '../context.js';
import { watch } from '../spec.js';
import type { ReconcilerSpec } from '../spec.js';
import { createPodReconciler } from './reconcile.js';
import { annotationsMatch, isHostNetwork, podChanged, podKey, withAllocationOf } from './rules.js';
import type { Pod } from './rules.js';

/**
 * A pod update worth reconciling. The echo of our own allocation patch is not: the write
 * already committed it, so reconciling again would only repeat that (half of all pod
 * reconciles in a burst).
 */
export function podUpdateKeys(old: Pod, pod: Pod, ctx: ControllerContext): readonly string[] {
  if (!podChanged(old, pod)) return [];
  const key = podKey(pod);
  const held = ctx.term.pods.isCommitted(key) ? ctx.term.ipam.get(key) : undefined;
  if (held !== undefined && !podChanged(old, withAllocationOf(pod, old)) && annotationsMatch(pod, held)) return [];
  return [key];
}

export const podReconciler: ReconcilerSpec = {
  name: CONTROLLER_NAMES.pod,
  watches: [
    watch({
      cache: 'pods',
      onAdd: (pod) => (isHostNetwork(pod) ? [] : [podKey(pod)]),
      onUpdate: podUpdateKeys,
      onDelete: (pod) => [podKey(pod)],
    }),
    watch({
      cache: 'subnets',
      // A changed namespace binding can give a parked pod a different subnet.
      onUpdate(old, s, ctx) {
        if (JSON.stringify(old.spec?.namespaces) !== JSON.stringify(s.spec?.namespaces)) ctx.term.pods.wake();
        return [];
      },
    }),
  ],
  // Pods the IPAM holds but the cache lost (deleted during the rebuild) are released.
  initialKeys: (caches, term) => new Set([...caches.pods.list().map(podKey), ...term.ipam.keys()]),
  reconciler: createPodReconciler,
  records: ['ipamAllocations', 'ipamReleases'],
};

export { NO_POD_NETWORK } from './network.js';
export type { PodNetwork } from './network.js';
