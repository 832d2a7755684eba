/**
 * The IP reconciler: one `IP` object per committed allocation, collected when its pod is gone
 * or finished. Watches IP objects; pods reach it through the pod reconciler's `enqueue.ip`.
 */
import { CONTROLLER_NAMES } from '../constants.js';
import { watch } from '../spec.js';
import type { ReconcilerSpec } from '../spec.js';
import { ipNameOfPodKey } from '../pod/rules.js';
import { createIpReconciler } from './reconcile.js';

const nameOf = (obj: { metadata: { name?: string } }): string => obj.metadata.name ?? '';

export const ipReconciler: ReconcilerSpec = {
  name: CONTROLLER_NAMES.ip,
  watches: [
    watch({
      cache: 'ips',
      onAdd: (ip) => [nameOf(ip)],
      // Resyncs (the same object) and real changes; not a relist that delivers an unchanged version.
      onUpdate: (old, ip) => (old === ip || old.metadata.resourceVersion !== ip.metadata.resourceVersion ? [nameOf(ip)] : []),
      onDelete(ip, ctx) {
        ctx.term.ipWrites.forget(nameOf(ip));
        return [nameOf(ip)];
      },
    }),
  ],
  initialKeys: (caches, term) => new Set([...caches.ips.list().map(nameOf), ...[...term.ipam.keys()].map(ipNameOfPodKey)]),
  reconciler: createIpReconciler,
  records: [],
};
