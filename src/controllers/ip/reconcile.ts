/**
 * IP reconciler: keeps the `IP` object of every allocation the IPAM holds true (labels,
 * finalizer, spec as Kube-OVN writes them; an edit or a deletion of a live pod's record is
 * repaired from the IPAM) and garbage-collects IP objects whose pod is gone or finished.
 */
import { isConflict, isNotFound, RESOURCES } from '../../kube/index.js';
import type { Reconcile } from '../../kube/index.js';
import type { Outcome } from '../../kube/controller/index.js';
import type { ControllerContext, IpObject } from '../context.js';
import { isHostNetwork, isPodAlive, podKeyOfIpName } from '../pod/rules.js';
import { isNodeIp } from '../node/rules.js';
import { createIpRecord, desiredIp, ipObjectProblems } from './record.js';

const DONE: Outcome = { kind: 'done' };
/** How long to trust a pod missing from the cache as "not yet seen" before collecting its IP object, ms. */
const CACHE_LAG_RECHECK_MS = 2000;

export function createIpReconciler(ctx: ControllerContext): Reconcile {
  const { caches, client, term } = ctx;
  const record = createIpRecord(ctx);

  /** Collects an IP object whose pod the cache does not know, after confirming the pod is really gone. */
  async function collectOrphan(ip: IpObject, podKey: string, signal: AbortSignal): Promise<Outcome> {
    const slash = podKey.indexOf('/');
    try {
      await client.get(RESOURCES.pods, podKey.slice(slash + 1), { namespace: podKey.slice(0, slash), signal });
      return { kind: 'requeueAfter', ms: CACHE_LAG_RECHECK_MS };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await record.collect(ip, signal);
    return DONE;
  }

  return async (name, signal) => {
    const podKey = podKeyOfIpName(name);
    const ip = caches.ips.get(name);
    if (podKey === undefined || isNodeIp(ip)) return DONE; // a node's IP object is the node reconciler's
    if (signal.aborted) return DONE;
    const pod = caches.pods.get(podKey);
    if (pod === undefined) return ip === undefined ? DONE : collectOrphan(ip, podKey, signal);
    const alive = !isHostNetwork(pod) && isPodAlive(pod, ctx.clock.now());
    const held = alive ? term.ipam.get(podKey) : undefined;
    // The IPAM is the truth once rebuilt from the IP objects: a live pod's record is kept as held.
    if (held !== undefined && ipObjectProblems(name, pod, held).fatal === undefined) {
      try {
        return await record.ensure(name, desiredIp(name, pod, held), signal);
      } catch (err) {
        if (isConflict(err)) return { kind: 'requeue' };
        throw err;
      }
    }
    if (!alive && ip !== undefined) await record.collect(ip, signal);
    return DONE;
  };
}
