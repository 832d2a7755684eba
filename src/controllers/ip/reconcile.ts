/**
 * IP reconciler: keeps one `IP` object `<pod>.<namespace>` per committed allocation (labels,
 * finalizer, spec as Kube-OVN writes them) and garbage-collects IP objects whose pod is gone
 * or finished: finalizer removed, then deleted.
 */
import { isAlreadyExists, isConflict, isNotFound, RESOURCES } from '../../kube/index.js';
import type { Reconcile } from '../../kube/index.js';
import type { Allocation } from '../../ipam/index.js';
import type { Outcome } from '../../kube/controller/index.js';
import { FINALIZER, IP_LABELS } from '../constants.js';
import type { ControllerContext, IpObject } from '../context.js';
import { finalizerRemovalPatch } from '../objects.js';
import { annotationsMatch, isHostNetwork, isPodAlive, podKeyOfIpName } from '../pod/rules.js';
import type { Pod } from '../pod/rules.js';
import { isNodeIp } from '../node/rules.js';

const DONE: Outcome = { kind: 'done' };
/** How long to trust a pod missing from the cache as "not yet seen" before collecting its IP object, ms. */
const CACHE_LAG_RECHECK_MS = 2000;

/** What the `IP` object of `pod` holding `a` should carry. */
export function desiredIp(name: string, pod: Pod, a: Allocation): IpObject {
  const nodeName = pod.spec?.nodeName ?? '';
  return {
    metadata: { name, labels: { [IP_LABELS.subnet]: a.subnet, [IP_LABELS.node]: nodeName }, finalizers: [FINALIZER] },
    spec: {
      podName: pod.metadata.name ?? '',
      namespace: pod.metadata.namespace ?? '',
      subnet: a.subnet,
      nodeName,
      ipAddress: a.ip,
      v4IpAddress: a.v4 ?? '',
      v6IpAddress: a.v6 ?? '',
      macAddress: a.mac,
      podType: '',
      attachSubnets: [],
      attachIps: [],
      attachMacs: [],
    },
  };
}

/**
 * The merge patch bringing `current` to `desired` (spec fields, our labels, our finalizer),
 * or undefined when nothing differs. It carries `resourceVersion` because it replaces the
 * finalizer list: a concurrent change gets 409 instead of being overwritten.
 */
export function ipPatch(current: IpObject, desired: IpObject): Record<string, unknown> | undefined {
  const spec: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(desired.spec ?? {})) {
    if (JSON.stringify(current.spec?.[k]) !== JSON.stringify(v)) spec[k] = v;
  }
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(desired.metadata.labels ?? {})) if (current.metadata.labels?.[k] !== v) labels[k] = v;
  const finalizers = current.metadata.finalizers ?? [];
  const metadata: Record<string, unknown> = {};
  if (Object.keys(labels).length > 0) metadata['labels'] = labels;
  if (!finalizers.includes(FINALIZER)) metadata['finalizers'] = [...finalizers, FINALIZER];
  if (Object.keys(spec).length === 0 && Object.keys(metadata).length === 0) return undefined;
  metadata['resourceVersion'] = current.metadata.resourceVersion;
  return { metadata, ...(Object.keys(spec).length === 0 ? {} : { spec }) };
}

/** What identifies the content of an IP object we write. */
function fingerprintOf(ip: IpObject): string {
  const s = ip.spec ?? {};
  return `${s.subnet ?? ''}|${s.ipAddress ?? ''}|${s.macAddress ?? ''}|${s.nodeName ?? ''}|${s.podName ?? ''}|${s.namespace ?? ''}`;
}

export function createIpReconciler(ctx: ControllerContext): Reconcile {
  const { caches, client, term } = ctx;
  const { ipWrites } = term;

  async function ensure(name: string, desired: IpObject, signal: AbortSignal): Promise<Outcome> {
    const fingerprint = fingerprintOf(desired);
    let current = caches.ips.get(name);
    if (current === undefined) {
      if (ipWrites.wrote(name, fingerprint)) return DONE;
      try {
        await client.create(RESOURCES.ips, desired, { signal });
        ipWrites.rememberWrite(name, fingerprint);
        return DONE;
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        current = await client.get<IpObject>(RESOURCES.ips, name, { signal });
      }
    }
    if (current.metadata.deletionTimestamp !== undefined) {
      // A deleting object cannot take our finalizer back: let it go, then create it anew.
      await collect(current, signal);
      return { kind: 'requeueAfter', ms: 100 };
    }
    const patch = ipPatch(current, desired);
    if (patch !== undefined) await client.mergePatch(RESOURCES.ips, name, patch, { signal });
    ipWrites.rememberWrite(name, fingerprint);
    return DONE;
  }

  async function collect(ip: IpObject, signal: AbortSignal): Promise<void> {
    const name = ip.metadata.name ?? '';
    ipWrites.forget(name);
    const unfinalize = finalizerRemovalPatch(ip);
    try {
      if (unfinalize !== undefined) await client.mergePatch(RESOURCES.ips, name, unfinalize, { signal });
      if (ip.metadata.deletionTimestamp === undefined) {
        await client.delete(RESOURCES.ips, name, { signal, ...(ip.metadata.uid === undefined ? {} : { preconditions: { uid: ip.metadata.uid } }) });
      }
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }

  /** Collects an IP object whose pod the cache does not know, after confirming the pod is really gone. */
  async function collectOrphan(ip: IpObject, podKey: string, signal: AbortSignal): Promise<Outcome> {
    const slash = podKey.indexOf('/');
    try {
      await client.get(RESOURCES.pods, podKey.slice(slash + 1), { namespace: podKey.slice(0, slash), signal });
      return { kind: 'requeueAfter', ms: CACHE_LAG_RECHECK_MS };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await collect(ip, signal);
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
    if (held !== undefined && (term.pods.isCommitted(podKey) || annotationsMatch(pod, held))) {
      try {
        return await ensure(name, desiredIp(name, pod, held), signal);
      } catch (err) {
        if (isConflict(err)) return { kind: 'requeue' };
        throw err;
      }
    }
    if (!alive && ip !== undefined) await collect(ip, signal);
    return DONE;
  };
}
