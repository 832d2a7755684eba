/**
 * Node reconciler: each Node gets the lowest free address in the node switch (`join`), its
 * logical switch port `node-<node>` with port groups and router policies (OVN on), the Node
 * annotations the CNI daemon waits for (one merge patch) and the `IP` object `node-<node>`.
 * A deleted Node loses all of it, then its address is released.
 */
import { isAlreadyExists, isNotFound, RESOURCES } from '../../kube/index.js';
import type { Reconcile } from '../../kube/index.js';
import type { Allocation } from '../../ipam/index.js';
import type { Outcome } from '../../kube/controller/index.js';
import type { ControllerContext } from '../context.js';
import { finalizerRemovalPatch } from '../objects.js';
import { throwUnlessOk } from '../ovn/results.js';
import { nodeSpecOf } from './spec-of.js';
import { nodeAnnotationPatch, nodeIpObject, nodeKey, nodePortName, readNodeAllocation } from './rules.js';
import type { NodeObject } from './rules.js';

const DONE: Outcome = { kind: 'done' };

export function createNodeReconciler(ctx: ControllerContext): Reconcile {
  const { caches, client, term, nb, logger } = ctx;
  const { ipam } = term;
  const join = ctx.config.ovn.nodeSwitch;

  /** The node's join address: held, restored from its annotations, or the lowest free one. */
  function reserve(node: NodeObject): Allocation | { ok: false; message: string } {
    const key = nodeKey(node.metadata.name ?? '');
    const held = ipam.get(key, join);
    if (held !== undefined) return held;
    const recorded = readNodeAllocation(node, join);
    const restored = recorded === undefined ? undefined : ipam.restore(key, join, recorded);
    if (restored?.ok === true) return restored;
    if (restored !== undefined) logger.warn({ node: node.metadata.name, reason: restored.reason }, `node join address not restored, allocating another: ${restored.message}`);
    const result = ipam.allocate(key, join);
    if (result.ok) ctx.enqueue.subnetStatus(join);
    return result;
  }

  async function ensureIpObject(name: string, a: Allocation, signal: AbortSignal): Promise<void> {
    const desired = nodeIpObject(name, a);
    const current = caches.ips.get(desired.metadata.name ?? '');
    if (current !== undefined && current.spec?.ipAddress === a.ip && current.spec.macAddress === a.mac) return;
    try {
      if (current === undefined) await client.create(RESOURCES.ips, desired, { signal });
      else await client.mergePatch(RESOURCES.ips, desired.metadata.name ?? '', { spec: desired.spec, metadata: { labels: desired.metadata.labels } }, { signal, discard: true });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  async function ensure(node: NodeObject, signal: AbortSignal): Promise<Outcome> {
    const name = node.metadata.name ?? '';
    // Without the join subnet there is nothing to give; its arrival enqueues every node, which
    // wait here until the subnet reconciler serves it.
    if (ipam.subnet(join) === undefined) return caches.subnets.get(join) === undefined ? DONE : { kind: 'requeueAfter', ms: 500 };
    const a = reserve(node);
    if (!a.ok) {
      logger.warn({ node: name, subnet: join }, `no join address for node: ${a.message}`);
      return { kind: 'requeueAfter', ms: 30_000 };
    }
    // The port before the annotations: the CNI daemon binds ovn0 to it as soon as it sees them.
    if (nb !== undefined) throwUnlessOk(await nb.ensureNode(nodeSpecOf(ctx, node, a)), `node ${name}: port ${nodePortName(name)}`);
    const patch = nodeAnnotationPatch(node, a);
    if (signal.aborted) return DONE;
    if (patch !== undefined) await client.mergePatch(RESOURCES.nodes, name, patch, { signal, discard: true });
    await ensureIpObject(name, a, signal);
    return DONE;
  }

  async function remove(name: string, signal: AbortSignal): Promise<Outcome> {
    if (nb !== undefined) throwUnlessOk(await nb.deleteNode(name), `node ${name}: removing port ${nodePortName(name)}`);
    const ip = caches.ips.get(nodePortName(name));
    if (ip !== undefined && !signal.aborted) {
      try {
        const unfinalize = finalizerRemovalPatch(ip);
        if (unfinalize !== undefined) await client.mergePatch(RESOURCES.ips, nodePortName(name), unfinalize, { signal, discard: true });
        if (ip.metadata.deletionTimestamp === undefined) await client.delete(RESOURCES.ips, nodePortName(name), { signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (ipam.release(nodeKey(name), join) > 0) ctx.enqueue.subnetStatus(join);
    return DONE;
  }

  return async (name, signal) => {
    const node = caches.nodes.get(name);
    if (node === undefined) return remove(name, signal);
    return ensure(node, signal);
  };
}
