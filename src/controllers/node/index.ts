/**
 * The node reconciler: join address, port `node-<node>` with its port groups and policies, the
 * Node annotations and the `IP` object `node-<node>`. Watches Nodes, and Subnets (a subnet that
 * comes or goes changes every node's port groups and 29000 policies; the join subnet's arrival
 * lets waiting nodes get their address). Its `prepare` puts the join addresses recorded on Nodes
 * back into the rebuilt IPAM before anything is allocated.
 */
import { CONTROLLER_NAMES } from '../constants.js';
import type { ControllerContext } from '../context.js';
import { watch } from '../spec.js';
import type { ReconcilerSpec } from '../spec.js';
import { isNodeIp, nodeKey, readNodeAllocation } from './rules.js';
import type { NodeObject } from './rules.js';
import { createNodeReconciler } from './reconcile.js';

const nameOf = (obj: { metadata: { name?: string } }): string => obj.metadata.name ?? '';
const allNodes = (_obj: unknown, ctx: ControllerContext): string[] => ctx.caches.nodes.list().map(nameOf);

function nodeChanged(old: NodeObject, node: NodeObject): boolean {
  return old === node || JSON.stringify(old.metadata.annotations) !== JSON.stringify(node.metadata.annotations) || JSON.stringify(old.status?.addresses) !== JSON.stringify(node.status?.addresses);
}

/** Restores every join address a Node records, so a new node never gets an address an old one holds. */
function restoreNodes(ctx: ControllerContext): Promise<boolean> {
  const join = ctx.config.ovn.nodeSwitch;
  if (ctx.term.ipam.subnet(join) === undefined) return Promise.resolve(true);
  let restored = 0;
  for (const node of ctx.caches.nodes.list()) {
    const recorded = readNodeAllocation(node, join);
    if (recorded === undefined) continue;
    const r = ctx.term.ipam.restore(nodeKey(nameOf(node)), join, recorded);
    if (r.ok) restored += 1;
    else ctx.logger.warn({ node: nameOf(node), subnet: join, reason: r.reason }, `node join address not restored: ${r.message}`);
  }
  if (restored > 0) ctx.logger.info({ restored, subnet: join }, 'node join addresses restored');
  return Promise.resolve(true);
}

export const nodeReconciler: ReconcilerSpec = {
  name: CONTROLLER_NAMES.node,
  watches: [
    watch({ cache: 'nodes', onAdd: (n) => [nameOf(n)], onUpdate: (old, n) => (nodeChanged(old, n) ? [nameOf(n)] : []), onDelete: (n) => [nameOf(n)] }),
    watch({ cache: 'subnets', onAdd: allNodes, onDelete: allNodes }),
  ],
  // Node IP objects whose Node is gone (deleted while no leader ran) are reconciled too, and removed.
  initialKeys: (caches) => new Set([...caches.nodes.list().map(nameOf), ...caches.ips.list().filter(isNodeIp).map((ip) => ip.spec?.nodeName ?? '')]),
  reconciler: createNodeReconciler,
  records: [],
  prepare: restoreNodes,
};
