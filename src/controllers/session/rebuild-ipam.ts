/**
 * Rebuilds the IPAM from a fresh list of Subnets, IP objects and Pods before a leader
 * allocates anything. Pure over its input. `IP` objects win (the controller's own record; pod
 * annotations can be edited by anyone who can patch the pod); annotations fill in for live pods
 * without one. A conflict is reported, never resolved by giving one address to two pods.
 */
import { compileSubnetSpec } from '../../ipam/index.js';
import type { HoldAddresses, Ipam } from '../../ipam/index.js';
import { ANNOTATIONS } from '../constants.js';
import type { IpObject } from '../context.js';
import { isHostNetwork, isPodAlive, podKey, readAllocation, splitAddresses } from '../pod/rules.js';
import type { Pod } from '../pod/rules.js';
import { ageOf, ipamSpecOf, olderFirst } from '../objects.js';
import type { SubnetObject } from '../subnet/rules.js';

export interface RebuildInput {
  readonly subnets: readonly SubnetObject[];
  readonly ips: readonly IpObject[];
  readonly pods: readonly Pod[];
  /** ms since the epoch, for pod liveness. */
  readonly nowMs: number;
}

export interface RebuildConflict {
  readonly key: string;
  readonly subnet: string;
  readonly reason: string;
  readonly message: string;
  /** The live pod, for an Event. */
  readonly pod: Pod;
}

export interface RebuildReport {
  readonly subnets: number;
  readonly restored: number;
  readonly conflicts: readonly RebuildConflict[];
}

/** The CIDR/gateway live pods of each subnet were configured with, when they all agree. */
function annotatedCidrs(pods: readonly Pod[]): Map<string, { cidr: string; gateway: string } | null> {
  const out = new Map<string, { cidr: string; gateway: string } | null>();
  for (const pod of pods) {
    const a = pod.metadata.annotations;
    const subnet = a?.[ANNOTATIONS.logicalSwitch];
    const cidr = a?.[ANNOTATIONS.cidr];
    if (a?.[ANNOTATIONS.allocated] !== 'true' || subnet === undefined || cidr === undefined) continue;
    const seen = out.get(subnet);
    if (seen === undefined) out.set(subnet, { cidr, gateway: a[ANNOTATIONS.gateway] ?? '' });
    else if (seen !== null && seen.cidr !== cidr) out.set(subnet, null);
  }
  return out;
}

/**
 * Loads subnets: ones holding addresses first, then older first, so a subnet that already
 * serves pods wins an overlap. A subnet whose pods were all addressed from a CIDR other than
 * its spec's (a refused CIDR change) is served with the pods' CIDR, so the change stays refused.
 */
function loadSubnets(ipam: Ipam, subnets: readonly SubnetObject[], ips: readonly IpObject[], live: readonly Pod[]): number {
  const holding = new Set<string>();
  for (const ip of ips) if (ip.spec?.subnet !== undefined) holding.add(ip.spec.subnet);
  for (const pod of live) {
    const s = pod.metadata.annotations?.[ANNOTATIONS.logicalSwitch];
    if (s !== undefined && pod.metadata.annotations?.[ANNOTATIONS.allocated] === 'true') holding.add(s);
  }
  const ordered = [...subnets].sort((a, b) => {
    const ha = holding.has(ageOf(a).name) ? 0 : 1;
    const hb = holding.has(ageOf(b).name) ? 0 : 1;
    return ha !== hb ? ha - hb : olderFirst(ageOf(a), ageOf(b));
  });
  const podCidrs = annotatedCidrs(live);
  let loaded = 0;
  for (const s of ordered) {
    const name = s.metadata.name ?? '';
    let spec = ipamSpecOf(s);
    const compiled = compileSubnetSpec(spec);
    const used = podCidrs.get(name);
    if (used != null && (!compiled.ok || compiled.subnet.cidrBlock !== used.cidr)) spec = { ...spec, cidrBlock: used.cidr, gateway: used.gateway };
    const check = compileSubnetSpec(spec);
    if (!check.ok || ipam.overlaps(check.subnet.cidrBlock, name).length > 0) continue;
    if (ipam.upsertSubnet(spec).ok) loaded += 1;
  }
  return loaded;
}

/** What an `IP` object claims, with the pod's CIDR/gateway annotations when they name the same subnet. */
function claimOfIp(ip: IpObject, pod: Pod): { subnet: string; addresses: HoldAddresses } | undefined {
  const subnet = ip.spec?.subnet;
  const addresses = splitAddresses(ip.spec?.ipAddress ?? '', ip.spec?.macAddress);
  if (subnet === undefined || subnet === '' || addresses === undefined || (addresses.v4 === undefined && addresses.v6 === undefined)) return undefined;
  const a = pod.metadata.annotations ?? {};
  const same = a[ANNOTATIONS.logicalSwitch] === subnet;
  return { subnet, addresses: { ...addresses, ...(same ? { cidr: a[ANNOTATIONS.cidr] ?? '', gateway: a[ANNOTATIONS.gateway] ?? '' } : {}) } };
}

/**
 * DESIGN §7a's rebuild: claims from `IP` objects first (the controller's own record), then from
 * the annotations of live pods that have none. A claim on a subnet not loaded (vanished, or
 * refused) is held detached, never dropped; a conflicting claim is reported, never freed or
 * re-given.
 */
export function rebuildIpam(ipam: Ipam, input: RebuildInput): RebuildReport {
  const live = input.pods.filter((p) => !isHostNetwork(p) && isPodAlive(p, input.nowMs));
  const subnets = loadSubnets(ipam, input.subnets, input.ips, live);
  const conflicts: RebuildConflict[] = [];
  const byKey = new Map(live.map((p) => [podKey(p), p]));
  const recorded = new Set<string>();
  let restored = 0;
  const claim = (key: string, pod: Pod, subnet: string, addresses: HoldAddresses): void => {
    const result = ipam.hold(key, subnet, addresses);
    if (result.ok) restored += 1;
    else conflicts.push({ key, subnet, reason: result.reason, message: result.message, pod });
  };
  for (const ip of input.ips) {
    const key = `${ip.spec?.namespace ?? ''}/${ip.spec?.podName ?? ''}`;
    const pod = byKey.get(key);
    if (pod === undefined || ip.metadata.deletionTimestamp !== undefined) continue;
    const c = claimOfIp(ip, pod);
    if (c === undefined) continue;
    recorded.add(key);
    claim(key, pod, c.subnet, c.addresses);
  }
  for (const [key, pod] of byKey) {
    if (recorded.has(key)) continue;
    const a = readAllocation(pod);
    if (a === undefined) continue;
    const ann = pod.metadata.annotations ?? {};
    claim(key, pod, a.subnet, { ...a.addresses, cidr: ann[ANNOTATIONS.cidr] ?? '', gateway: ann[ANNOTATIONS.gateway] ?? '' });
  }
  return { subnets, restored, conflicts };
}
