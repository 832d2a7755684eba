/**
 * The `IP` object: the controller's own record of an allocation (DESIGN §7a). Written by the pod
 * flow before the pod patch (so `allocated: "true"` always has one behind it) and kept true by
 * the IP reconciler; collected when its pod is gone or finished.
 */
import { isAlreadyExists, isNotFound, labelValueProblem, objectNameProblem, RESOURCES } from '../../kube/index.js';
import type { Allocation } from '../../ipam/index.js';
import type { Outcome } from '../../kube/controller/index.js';
import { FINALIZER, IP_LABELS } from '../constants.js';
import type { ControllerContext, IpObject } from '../context.js';
import { finalizerRemovalPatch } from '../objects.js';
import type { Pod } from '../pod/rules.js';

const DONE: Outcome = { kind: 'done' };

/**
 * An `IP` object as the cache keeps it: everything but `managedFields` (which the API server adds
 * to every write and nothing here reads; often as large as the rest of the object).
 */
export function slimIp(ip: IpObject): IpObject {
  if (ip.metadata.managedFields === undefined) return ip;
  const { managedFields: _dropped, ...metadata } = ip.metadata;
  return { ...ip, metadata };
}

/** What the `IP` object of `pod` holding `a` should carry. */
export function desiredIp(name: string, pod: Pod, a: Allocation): IpObject {
  const nodeName = pod.spec?.nodeName ?? '';
  // A value the API server would refuse as a label (over 63 characters) is left out, not sent
  // into a 422 retried forever; the pod flow reports it (see `ipObjectProblems`).
  const labels: Record<string, string> = {};
  if (labelValueProblem(a.subnet) === undefined) labels[IP_LABELS.subnet] = a.subnet;
  if (labelValueProblem(nodeName) === undefined) labels[IP_LABELS.node] = nodeName;
  return {
    metadata: { name, labels, finalizers: [FINALIZER] },
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
export function fingerprintOf(ip: IpObject): string {
  const s = ip.spec ?? {};
  return `${s.subnet ?? ''}|${s.ipAddress ?? ''}|${s.macAddress ?? ''}|${s.nodeName ?? ''}|${s.podName ?? ''}|${s.namespace ?? ''}`;
}

/**
 * Why the IP object of this allocation cannot be written as Kubernetes requires, one message per
 * limit: a name past 253 characters is fatal for the record (`fatal`), a label value past 63 is
 * left out of the object (`warnings`).
 */
export function ipObjectProblems(name: string, pod: Pod, a: Allocation): { fatal: string | undefined; warnings: string[] } {
  const fatal = objectNameProblem(name);
  const warnings: string[] = [];
  const subnetLabel = labelValueProblem(a.subnet);
  if (subnetLabel !== undefined) warnings.push(`IP object ${name}: label ${IP_LABELS.subnet} left out: ${subnetLabel}`);
  const nodeLabel = labelValueProblem(pod.spec?.nodeName ?? '');
  if (nodeLabel !== undefined) warnings.push(`IP object ${name}: label ${IP_LABELS.node} left out: ${nodeLabel}`);
  return { fatal: fatal === undefined ? undefined : `IP object ${fatal}`, warnings };
}

export interface IpRecord {
  /** Creates or repairs the IP object to `desired`; `requeueAfter` while an old copy is being deleted. */
  ensure(name: string, desired: IpObject, signal: AbortSignal): Promise<Outcome>;
  /** Removes our finalizer and deletes the object; a missing object is fine. */
  collect(ip: IpObject, signal: AbortSignal): Promise<void>;
}

export function createIpRecord(ctx: Pick<ControllerContext, 'caches' | 'client' | 'term'>): IpRecord {
  const { caches, client } = ctx;
  const { ipWrites } = ctx.term;

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
    if (patch !== undefined) await client.mergePatch(RESOURCES.ips, name, patch, { signal, discard: true });
    ipWrites.rememberWrite(name, fingerprint);
    return DONE;
  }

  async function collect(ip: IpObject, signal: AbortSignal): Promise<void> {
    const name = ip.metadata.name ?? '';
    ipWrites.forget(name);
    const unfinalize = finalizerRemovalPatch(ip);
    try {
      if (unfinalize !== undefined) await client.mergePatch(RESOURCES.ips, name, unfinalize, { signal, discard: true });
      if (ip.metadata.deletionTimestamp === undefined) {
        await client.delete(RESOURCES.ips, name, { signal, ...(ip.metadata.uid === undefined ? {} : { preconditions: { uid: ip.metadata.uid } }) });
      }
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }

  return { ensure, collect };
}
