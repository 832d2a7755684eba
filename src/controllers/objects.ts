/**
 * Snippets every reconciler needs the same way: the IPAM view of a Subnet object, the patch
 * that drops our finalizer, and the "older first" order that settles ties between subnets.
 */
import type { SubnetSpec } from '../ipam/index.js';
import type { KubeObject } from '../kube/index.js';
import { FINALIZER } from './constants.js';

/** The fields of a Subnet object the IPAM compiles (missing ones empty, so compiling reports them). */
export function ipamSpecOf(s: { metadata: { name?: string }; spec?: { cidrBlock?: string; gateway?: string; excludeIps?: string[] } }): SubnetSpec {
  return { name: s.metadata.name ?? '', cidrBlock: s.spec?.cidrBlock ?? '', gateway: s.spec?.gateway ?? '', excludeIps: s.spec?.excludeIps ?? [] };
}

/**
 * The merge patch removing our finalizer from `obj`, or undefined when it does not carry it.
 * It carries `resourceVersion` because it replaces the whole list: a concurrent change gets 409
 * instead of being overwritten.
 */
export function finalizerRemovalPatch(obj: KubeObject): { metadata: { finalizers: string[] | null; resourceVersion: string | undefined } } | undefined {
  const finalizers = obj.metadata.finalizers ?? [];
  if (!finalizers.includes(FINALIZER)) return undefined;
  const rest = finalizers.filter((f) => f !== FINALIZER);
  return { metadata: { finalizers: rest.length === 0 ? null : rest, resourceVersion: obj.metadata.resourceVersion } };
}

/** What "older" compares: `creationTimestamp` (RFC 3339, second precision, so string order is time order), then name. */
export interface Aged {
  readonly name: string;
  readonly createdAt: string;
}

/** Sort comparator, older first; equal timestamps fall back to the name so the order is total. */
export function olderFirst(a: Aged, b: Aged): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The age of a Kubernetes object, for `olderFirst`. */
export function ageOf(obj: KubeObject): Aged {
  return { name: obj.metadata.name ?? '', createdAt: obj.metadata.creationTimestamp ?? '' };
}

/** The annotation prefix of every key the controllers read or write (Kube-OVN's `ovn.kubernetes.io/`). */
const OWN_ANNOTATION_PREFIX = 'ovn.kubernetes.io/';

/**
 * The `ovn.kubernetes.io/*` annotations of an object, for the slim caches: the only ones any
 * reconciler reads. Others (a sidecar injector's status, checksums, `kubectl.kubernetes.io/*`)
 * are often most of a pod's metadata. Undefined when none is left, so the cache holds no empty object.
 */
export function ownAnnotations(annotations: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (annotations === undefined) return undefined;
  let out: Record<string, string> | undefined;
  for (const key in annotations) {
    if (!key.startsWith(OWN_ANNOTATION_PREFIX)) continue;
    out ??= {};
    out[key] = annotations[key] as string;
  }
  return out;
}
