import type { KubeObject } from '../client/index.js';

/** Label on `IP` objects naming their subnet (Kube-OVN's `util.SubnetNameLabel`). */
export const SUBNET_LABEL = 'ovn.kubernetes.io/subnet';

/** client-go `MetaNamespaceIndexFunc`: objects by namespace (cluster-scoped objects are not indexed). */
export function byNamespace(obj: KubeObject): string[] {
  const ns = obj.metadata.namespace;
  return ns === undefined || ns === '' ? [] : [ns];
}

/** Pods by `spec.nodeName`; unscheduled pods are not indexed. */
export function podsByNode(obj: KubeObject): string[] {
  const spec = obj['spec'] as { nodeName?: unknown } | undefined;
  return typeof spec?.nodeName === 'string' && spec.nodeName !== '' ? [spec.nodeName] : [];
}

/** IP objects by their `ovn.kubernetes.io/subnet` label. */
export function ipsBySubnet(obj: KubeObject): string[] {
  const subnet = obj.metadata.labels?.[SUBNET_LABEL];
  return subnet === undefined || subnet === '' ? [] : [subnet];
}

/** Index names used with the functions above. */
export const INDEX = Object.freeze({ namespace: 'namespace', node: 'node', subnet: 'subnet' });
