/**
 * Pure rules about pods: liveness (Kube-OVN's `isPodAlive`), subnet choice, the annotations
 * an allocation writes, and reading a previous allocation back from annotations.
 */
import { parseIp } from '../../ipam/index.js';
import type { Allocation, RestoreAddresses } from '../../ipam/index.js';
import type { FieldShape, KubeObject } from '../../kube/index.js';
import { ANNOTATIONS } from '../constants.js';
import { olderFirst, ownAnnotations } from '../objects.js';
import type { Aged } from '../objects.js';

/** The pod fields this controller reads. */
export interface Pod extends KubeObject {
  spec?: { nodeName?: string; hostNetwork?: boolean; restartPolicy?: string; [key: string]: unknown };
  status?: { phase?: string; reason?: string; [key: string]: unknown };
}

/** A subnet as subnet choice sees it; older subnets come first (`creationTimestamp`, then name). */
export interface SubnetCandidate extends Aged {
  /** `spec.namespaces`. */
  readonly namespaces: readonly string[];
  /** True when the IPAM has a free address in every family of the subnet. */
  readonly hasFree: boolean;
}

/** `namespace/name`: the IPAM key and workqueue key of a pod. */
export function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

/** Name of a pod's `IP` object: `<pod>.<namespace>` as Kube-OVN names it. */
export function ipObjectName(namespace: string, name: string): string {
  return `${name}.${namespace}`;
}

/**
 * The pod key an `IP` object name stands for. Namespaces are DNS labels (no dots) while pod
 * names may contain dots, so the namespace is what follows the last dot.
 */
export function podKeyOfIpName(ipName: string): string | undefined {
  const dot = ipName.lastIndexOf('.');
  if (dot <= 0 || dot === ipName.length - 1) return undefined;
  return `${ipName.slice(dot + 1)}/${ipName.slice(0, dot)}`;
}

/** The `IP` object name of a pod key `ns/name`. */
export function ipNameOfPodKey(key: string): string {
  const slash = key.indexOf('/');
  return ipObjectName(key.slice(0, slash), key.slice(slash + 1));
}

export function isHostNetwork(pod: Pod): boolean {
  return pod.spec?.hostNetwork === true;
}

/**
 * Kube-OVN's `isPodAlive`: a pod whose deletion grace period has passed is dead; so is one that
 * Succeeded (unless restartPolicy Always), Failed with restartPolicy Never, or was Evicted.
 * `nowMs` is ms since the epoch.
 */
export function isPodAlive(pod: Pod, nowMs: number): boolean {
  const deadline = deletionDeadline(pod);
  if (deadline !== undefined && nowMs > deadline) return false;
  const phase = pod.status?.phase;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (phase === 'Succeeded' && policy !== 'Always') return false;
  if (phase === 'Failed' && policy === 'Never') return false;
  if (phase === 'Failed' && pod.status?.reason === 'Evicted') return false;
  return true;
}

/**
 * Every field `slimPod` reads. The pod informer decodes listed and watched pods to these only
 * (their managedFields, containers, volumes and statuses are never parsed);
 * `test/controllers/pod/rules.test.ts` checks that `slimPod` of a pod so decoded equals
 * `slimPod` of the whole pod.
 */
export const POD_FIELDS: FieldShape = Object.freeze({
  apiVersion: true,
  kind: true,
  metadata: Object.freeze({ name: true, namespace: true, uid: true, resourceVersion: true, creationTimestamp: true, deletionTimestamp: true, deletionGracePeriodSeconds: true, annotations: true }),
  spec: Object.freeze({ nodeName: true, hostNetwork: true, restartPolicy: true }),
  status: Object.freeze({ phase: true, reason: true }),
});

/**
 * The part of a pod the controllers read, for the informer cache. A real pod (containers,
 * volumes, managedFields, conditions) is 5-20 KiB of JSON; this keeps a few hundred bytes, so
 * the cache of 50k pods stays small (Kube-OVN issue #1602: 18 GB at 10k pods). Of the annotations
 * only `ovn.kubernetes.io/*` are read, so only they are kept.
 */
export function slimPod(pod: Pod): Pod {
  const m = pod.metadata;
  const grace = m['deletionGracePeriodSeconds'];
  const annotations = ownAnnotations(m.annotations);
  return {
    ...(pod.apiVersion === undefined ? {} : { apiVersion: pod.apiVersion }),
    ...(pod.kind === undefined ? {} : { kind: pod.kind }),
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      ...(m.creationTimestamp === undefined ? {} : { creationTimestamp: m.creationTimestamp }),
      ...(m.deletionTimestamp === undefined ? {} : { deletionTimestamp: m.deletionTimestamp }),
      ...(typeof grace === 'number' ? { deletionGracePeriodSeconds: grace } : {}),
      ...(annotations === undefined ? {} : { annotations }),
    },
    spec: { nodeName: pod.spec?.nodeName, hostNetwork: pod.spec?.hostNetwork, restartPolicy: pod.spec?.restartPolicy },
    status: { phase: pod.status?.phase, reason: pod.status?.reason },
  };
}

/** When a deleting pod stops counting as alive (deletionTimestamp + grace), ms; undefined when not deleting. */
export function deletionDeadline(pod: Pod): number | undefined {
  const at = pod.metadata.deletionTimestamp;
  const grace = pod.metadata['deletionGracePeriodSeconds'];
  if (at === undefined || typeof grace !== 'number') return undefined;
  const t = Date.parse(at);
  return Number.isNaN(t) ? undefined : t + grace * 1000;
}

/** True when annotations say an allocation was written (`ovn.kubernetes.io/allocated: "true"`). */
export function isAllocated(pod: KubeObject): boolean {
  return pod.metadata.annotations?.[ANNOTATIONS.allocated] === 'true';
}

/** A previous allocation as the pod's annotations record it. */
export interface AnnotatedAllocation {
  readonly subnet: string;
  readonly ip: string;
  readonly addresses: RestoreAddresses;
}

/** Reads `ip_address`/`mac_address`/`logical_switch` of an allocated pod; undefined when incomplete or unparsable. */
export function readAllocation(pod: KubeObject): AnnotatedAllocation | undefined {
  const a = pod.metadata.annotations;
  if (a === undefined || a[ANNOTATIONS.allocated] !== 'true') return undefined;
  const subnet = a[ANNOTATIONS.logicalSwitch];
  const ip = a[ANNOTATIONS.ipAddress];
  if (subnet === undefined || subnet === '' || ip === undefined || ip === '') return undefined;
  const addresses = splitAddresses(ip, a[ANNOTATIONS.macAddress]);
  return addresses === undefined ? undefined : { subnet, ip, addresses };
}

/** `v4`, `v6` or `v4,v6` (+ MAC) into restore addresses; undefined when a part is not an IP. */
export function splitAddresses(ip: string, mac: string | undefined): RestoreAddresses | undefined {
  let v4: string | undefined;
  let v6: string | undefined;
  for (const part of ip.split(',')) {
    const parsed = parseIp(part.trim());
    if (parsed === undefined) return undefined;
    if (parsed.family === 4) v4 = part.trim();
    else v6 = part.trim();
  }
  return { ...(v4 === undefined ? {} : { v4 }), ...(v6 === undefined ? {} : { v6 }), ...(mac === undefined || mac === '' ? {} : { mac }) };
}

/** The six annotations one merge patch writes for an allocation. */
export function allocationAnnotations(a: Allocation): Record<string, string> {
  return {
    [ANNOTATIONS.ipAddress]: a.ip,
    [ANNOTATIONS.macAddress]: a.mac,
    [ANNOTATIONS.cidr]: a.cidr,
    [ANNOTATIONS.gateway]: a.gateway,
    [ANNOTATIONS.logicalSwitch]: a.subnet,
    [ANNOTATIONS.allocated]: 'true',
  };
}

/**
 * The annotations that record `a` on `pod` (DESIGN §7a: the held allocation is the truth). A
 * field the allocation does not know (a claim held for a subnet not served, rebuilt from an
 * IP object without CIDR or gateway) keeps the pod's current value rather than becoming empty.
 */
export function recordAnnotations(a: Allocation, pod: KubeObject): Record<string, string> {
  const have = pod.metadata.annotations ?? {};
  const want = allocationAnnotations(a);
  for (const [key, value] of Object.entries(want)) if (value === '' && have[key] !== undefined) want[key] = have[key];
  return want;
}

/** The annotation keys whose value differs from `want`, in `want`'s order. */
export function differingAnnotations(pod: KubeObject, want: Readonly<Record<string, string>>): string[] {
  const have = pod.metadata.annotations ?? {};
  return Object.keys(want).filter((key) => have[key] !== want[key]);
}

/** The merge patch body writing an allocation; one request, so the CNI never sees half of it. */
export function allocationPatch(a: Allocation): { metadata: { annotations: Record<string, string> } } {
  return { metadata: { annotations: allocationAnnotations(a) } };
}

/** `pod` with the six allocation annotations as `from` has them: compares everything else. */
export function withAllocationOf(pod: Pod, from: Pod): Pod {
  const annotations = { ...pod.metadata.annotations };
  for (const key of Object.values(ANNOTATIONS)) {
    const value = from.metadata.annotations?.[key];
    if (value === undefined) delete annotations[key];
    else annotations[key] = value;
  }
  return { ...pod, metadata: { ...pod.metadata, annotations } };
}

/** True when the pod's annotations already equal what `a` would write. */
export function annotationsMatch(pod: KubeObject, a: Allocation): boolean {
  const have = pod.metadata.annotations ?? {};
  const want = allocationAnnotations(a);
  for (const key of Object.keys(want)) if (have[key] !== want[key]) return false;
  return true;
}

/**
 * The subnet for a new allocation: the pod's `logical_switch` annotation; else the first
 * (oldest) subnet binding the namespace that has free addresses, or the first binding one
 * when all are full (Kube-OVN never spills a bound namespace into the default subnet);
 * else the default subnet.
 */
export function chooseSubnet(pod: Pod, bound: readonly SubnetCandidate[], defaultSubnet: string): string {
  const requested = pod.metadata.annotations?.[ANNOTATIONS.logicalSwitch];
  if (requested !== undefined && requested !== '') return requested;
  const namespace = pod.metadata.namespace ?? '';
  const candidates = bound.filter((s) => s.namespaces.includes(namespace)).sort(olderFirst);
  const first = candidates[0];
  if (first === undefined) return defaultSubnet;
  return (candidates.find((s) => s.hasFree) ?? first).name;
}

/** Static requests from annotations (`ip_address`, `mac_address`) of a pod not yet allocated. */
export function staticRequest(pod: KubeObject): { ip?: string; mac?: string } | undefined {
  const a = pod.metadata.annotations;
  const ip = a?.[ANNOTATIONS.ipAddress];
  const mac = a?.[ANNOTATIONS.macAddress];
  const out = { ...(ip === undefined || ip === '' ? {} : { ip }), ...(mac === undefined || mac === '' ? {} : { mac }) };
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Pod changes worth a reconcile: annotations, phase, deletion, node, restart policy; resyncs (same object) too. */
export function podChanged(old: Pod, pod: Pod): boolean {
  if (old === pod) return true;
  if (old.metadata.uid !== pod.metadata.uid) return true;
  if (old.metadata.deletionTimestamp !== pod.metadata.deletionTimestamp) return true;
  if (old.status?.phase !== pod.status?.phase || old.status?.reason !== pod.status?.reason) return true;
  if (old.spec?.nodeName !== pod.spec?.nodeName) return true;
  const a = old.metadata.annotations ?? {};
  const b = pod.metadata.annotations ?? {};
  for (const key of Object.values(ANNOTATIONS)) if (a[key] !== b[key]) return true;
  return false;
}
