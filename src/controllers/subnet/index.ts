/**
 * The subnet reconciler: defaulting, the finalizer, validation into the IPAM, status, deletion
 * that waits for addresses in use; creates the default subnet each term; reports the subnet
 * usage gauges.
 */
import { CONTROLLER_NAMES } from '../constants.js';
import { watch } from '../spec.js';
import type { ReconcilerSpec } from '../spec.js';
import { ensureDefaultSubnet } from './default-subnet.js';
import { registerSubnetGauges } from './metrics.js';
import { createSubnetReconciler } from './reconcile.js';
import { subnetChanged } from './rules.js';

const nameOf = (obj: { metadata: { name?: string } }): string => obj.metadata.name ?? '';

export const subnetReconciler: ReconcilerSpec = {
  name: CONTROLLER_NAMES.subnet,
  watches: [watch({ cache: 'subnets', onAdd: (s) => [nameOf(s)], onUpdate: (old, s) => (subnetChanged(old, s) ? [nameOf(s)] : []), onDelete: (s) => [nameOf(s)] })],
  // Subnets the rebuild loaded that the cache does not have yet: not served until it does.
  initialKeys: (caches, term) => new Set([...caches.subnets.list().map(nameOf), ...term.ipam.subnets().map((s) => s.name)]),
  reconciler: createSubnetReconciler,
  records: [],
  gauges: (addStateGauge, current) => registerSubnetGauges(addStateGauge, () => current()?.ipam),
  onTermStart: ensureDefaultSubnet,
};
