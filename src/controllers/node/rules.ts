/**
 * Pure rules about Nodes: the slim cached node, its InternalIPs, and what its join address
 * is recorded as (Node annotations, `IP` object `node-<node>`), as Kube-OVN's node controller
 * writes them so its CNI daemon finds them.
 */
import type { Allocation, RestoreAddresses } from '../../ipam/index.js';
import type { KubeObject } from '../../kube/index.js';
import { ANNOTATIONS, FINALIZER, IP_LABELS, OVN_ANNOTATIONS } from '../constants.js';
import type { IpObject } from '../context.js';
import { ownAnnotations } from '../objects.js';
import { allocationAnnotations, splitAddresses } from '../pod/rules.js';

/** The Node fields this controller reads. */
export interface NodeObject extends KubeObject {
  status?: { addresses?: { type?: string; address?: string }[]; [key: string]: unknown };
}

/** Name, identity, `ovn.kubernetes.io/*` annotations and addresses: all the node reconciler reads (a real Node carries images and conditions, KiBs). */
export function slimNode(node: NodeObject): NodeObject {
  const m = node.metadata;
  const annotations = ownAnnotations(m.annotations);
  return {
    metadata: {
      name: m.name,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      ...(m.deletionTimestamp === undefined ? {} : { deletionTimestamp: m.deletionTimestamp }),
      ...(annotations === undefined ? {} : { annotations }),
    },
    status: { addresses: (node.status?.addresses ?? []).map((a) => ({ type: a.type, address: a.address })) },
  };
}

/** The IPAM key of a node's join address: its port name. Pod keys hold a `/`, so the two never meet. */
export function nodeKey(node: string): string {
  return `node-${node}`;
}

/** Logical switch port, and name of the `IP` object, of a node (Kube-OVN's `node-<node>`). */
export const nodePortName = nodeKey;

/** The node's `InternalIP` addresses, v4 first (policy 30000 routes traffic for them to the node). */
export function internalIps(node: NodeObject): string[] {
  const ips = (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' && typeof a.address === 'string' && a.address !== '').map((a) => a.address as string);
  return [...ips.filter((ip) => !ip.includes(':')), ...ips.filter((ip) => ip.includes(':'))];
}

/** The annotations the CNI daemon waits for before it brings up `ovn0`. */
export function nodeAnnotations(node: string, a: Allocation): Record<string, string> {
  return {
    ...allocationAnnotations(a),
    [OVN_ANNOTATIONS.portName]: nodePortName(node),
  };
}

/** The merge patch bringing the node's annotations to `a`, or undefined when they match. */
export function nodeAnnotationPatch(node: NodeObject, a: Allocation): { metadata: { annotations: Record<string, string> } } | undefined {
  const want = nodeAnnotations(node.metadata.name ?? '', a);
  const have = node.metadata.annotations ?? {};
  const differs = Object.entries(want).some(([k, v]) => have[k] !== v);
  return differs ? { metadata: { annotations: want } } : undefined;
}

/** The join address a node's annotations record (after a restart), or undefined. */
export function readNodeAllocation(node: NodeObject, joinSwitch: string): RestoreAddresses | undefined {
  const a = node.metadata.annotations;
  if (a?.[ANNOTATIONS.allocated] !== 'true' || a[ANNOTATIONS.logicalSwitch] !== joinSwitch) return undefined;
  const ip = a[ANNOTATIONS.ipAddress];
  if (ip === undefined || ip === '') return undefined;
  return splitAddresses(ip, a[ANNOTATIONS.macAddress]);
}

/** The `IP` object `node-<node>` (Kube-OVN writes one per node: empty namespace, podName = node). */
export function nodeIpObject(node: string, a: Allocation): IpObject {
  return {
    metadata: { name: nodePortName(node), labels: { [IP_LABELS.subnet]: a.subnet, [IP_LABELS.node]: node }, finalizers: [FINALIZER] },
    spec: { podName: node, namespace: '', subnet: a.subnet, nodeName: node, ipAddress: a.ip, v4IpAddress: a.v4 ?? '', v6IpAddress: a.v6 ?? '', macAddress: a.mac, podType: '', attachSubnets: [], attachIps: [], attachMacs: [] },
  };
}

/** True for a node's `IP` object (the IP reconciler leaves these to the node reconciler). */
export function isNodeIp(ip: IpObject | undefined): boolean {
  return ip !== undefined && ip.spec?.namespace === '' && typeof ip.spec.nodeName === 'string' && ip.metadata.name === nodePortName(ip.spec.nodeName);
}
