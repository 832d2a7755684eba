/**
 * Pure rules about Subnets: spec defaulting (Kube-OVN's `formatSubnet`), overlap decisions,
 * conditions and the status address fields.
 */
import { formatTime } from '../../clock/index.js';
import { cidrOverlaps, formatSubnetSpec, parseCidr } from '../../ipam/index.js';
import type { Cidr, SubnetUsage } from '../../ipam/index.js';
import type { KubeObject } from '../../kube/index.js';
import { ipamSpecOf, olderFirst } from '../objects.js';
import type { Aged } from '../objects.js';

export interface SubnetSpecFields {
  cidrBlock?: string;
  gateway?: string;
  excludeIps?: string[];
  protocol?: string;
  namespaces?: string[];
  default?: boolean;
  provider?: string;
  vpc?: string;
  [key: string]: unknown;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface SubnetStatus {
  conditions?: Condition[];
  [key: string]: unknown;
}

export interface SubnetObject extends KubeObject {
  spec?: SubnetSpecFields;
  status?: SubnetStatus;
}

/** Provider of subnets that do not name one (Kube-OVN's `util.OvnProvider`). */
export const DEFAULT_PROVIDER = 'ovn';

/**
 * The spec fields defaulting changes (masked CIDR, gateway, gateway in excludeIps, protocol
 * from the CIDR, provider `ovn`), or undefined when nothing changes. An invalid spec only gets
 * its provider defaulted: validation reports the rest.
 */
export function defaultingPatch(name: string, spec: SubnetSpecFields): Partial<SubnetSpecFields> | undefined {
  const out: Partial<SubnetSpecFields> = {};
  if (spec.provider === undefined || spec.provider === '') out.provider = DEFAULT_PROVIDER;
  const formatted = formatSubnetSpec(ipamSpecOf({ metadata: { name }, spec }));
  if (formatted.ok) {
    const protocol = protocolOf(formatted.cidrBlock);
    if (spec.cidrBlock !== formatted.cidrBlock) out.cidrBlock = formatted.cidrBlock;
    if (spec.gateway !== formatted.gateway) out.gateway = formatted.gateway;
    if (!sameList(spec.excludeIps ?? [], formatted.excludeIps)) out.excludeIps = formatted.excludeIps;
    if (spec.protocol !== protocol) out.protocol = protocol;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** `IPv4`, `IPv6` or `Dual` for a normalised cidrBlock. */
export function protocolOf(cidrBlock: string): 'IPv4' | 'IPv6' | 'Dual' {
  const parts = cidrBlock.split(',');
  if (parts.length > 1) return 'Dual';
  return parts[0]?.includes(':') === true ? 'IPv6' : 'IPv4';
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** A subnet as the overlap rule sees it (its age breaks ties). */
export interface OverlapPeer extends Aged {
  /** Normalised cidrBlock of a spec that compiles. */
  readonly cidrBlock: string;
  /** True when the IPAM serves it (it may hold addresses). */
  readonly accepted: boolean;
}

/**
 * Subnets that keep `self` from being served because their CIDRs overlap. A subnet the IPAM
 * already serves always wins (it may hold addresses); otherwise the older one wins, so the
 * decision does not depend on which reconcile ran first. A served `self` is only blocked by
 * other served subnets (a CIDR change into one).
 */
export function overlapBlockers(self: OverlapPeer, peers: readonly OverlapPeer[]): string[] {
  const mine = cidrsOf(self.cidrBlock);
  const out: string[] = [];
  for (const peer of peers) {
    if (peer.name === self.name) continue;
    const blocks = peer.accepted || (!self.accepted && olderFirst(peer, self) < 0);
    if (!blocks) continue;
    const theirs = cidrsOf(peer.cidrBlock);
    if (mine.some((m) => theirs.some((t) => cidrOverlaps(m, t)))) out.push(peer.name);
  }
  return out.sort();
}

function cidrsOf(cidrBlock: string): Cidr[] {
  return cidrBlock.split(',').flatMap((t) => {
    const c = parseCidr(t);
    return c === undefined ? [] : [c];
  });
}

/** One condition's wanted state. */
export interface ConditionState {
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

/** What a Subnet's `Validated`, `Ready` and `Error` conditions should say. */
export interface SubnetHealth {
  readonly Validated: ConditionState;
  readonly Ready: ConditionState;
  readonly Error: ConditionState;
}

export function healthyConditions(): SubnetHealth {
  return {
    Validated: { status: 'True', reason: 'ValidationPassed', message: '' },
    Ready: { status: 'True', reason: 'SubnetReady', message: '' },
    Error: { status: 'False', reason: 'NoError', message: '' },
  };
}

/** An invalid spec: not validated, not serving, in error. */
export function invalidConditions(reason: string, message: string): SubnetHealth {
  return {
    Validated: { status: 'False', reason, message },
    Ready: { status: 'False', reason, message },
    Error: { status: 'True', reason, message },
  };
}

/** A refused change: the subnet keeps serving its previous spec. */
export function refusedConditions(reason: string, message: string): SubnetHealth {
  return {
    Validated: { status: 'False', reason, message },
    Ready: { status: 'True', reason: 'ServingPreviousSpec', message },
    Error: { status: 'True', reason, message },
  };
}

/** Deletion waits for addresses in use. */
export function deletingConditions(inUse: number, name: string): SubnetHealth {
  const message = `subnet ${name} is being deleted; waiting for ${inUse} address(es) in use to be released`;
  return {
    Validated: { status: 'True', reason: 'ValidationPassed', message: '' },
    Ready: { status: 'False', reason: 'SubnetInUse', message },
    Error: { status: 'False', reason: 'NoError', message: '' },
  };
}

/**
 * Conditions after applying `health` at `generation`: unchanged conditions keep their
 * timestamps; `lastTransitionTime` moves only when the status flips. Other types are kept.
 */
export function nextConditions(current: readonly Condition[] | undefined, health: SubnetHealth, generation: number, nowMs: number): Condition[] {
  const now = formatTime(nowMs);
  const out = (current ?? []).filter((c) => !(c.type in health));
  for (const type of ['Validated', 'Ready', 'Error'] as const) {
    const want = health[type];
    const have = current?.find((c) => c.type === type);
    if (have !== undefined && have.status === want.status && have.reason === want.reason && have.message === want.message && have.observedGeneration === generation) {
      out.push(have);
      continue;
    }
    const transition = have === undefined || have.status !== want.status ? now : (have.lastTransitionTime ?? now);
    out.push({ type, ...want, observedGeneration: generation, lastUpdateTime: now, lastTransitionTime: transition });
  }
  return out.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/** The status address fields from IPAM usage (counts as numbers, as the CRD types them). */
export function usageStatus(usage: SubnetUsage): Record<string, number | string> {
  return {
    v4availableIPs: Number(usage.v4.availableIPs),
    v4usingIPs: Number(usage.v4.usingIPs),
    v4availableIPrange: usage.v4.availableIPrange,
    v4usingIPrange: usage.v4.usingIPrange,
    v6availableIPs: Number(usage.v6.availableIPs),
    v6usingIPs: Number(usage.v6.usingIPs),
    v6availableIPrange: usage.v6.availableIPrange,
    v6usingIPrange: usage.v6.usingIPrange,
  };
}

/** The merge patch turning `current` into `desired` (top-level fields; conditions compared whole), or undefined when equal. */
export function statusPatch(current: SubnetStatus | undefined, desired: SubnetStatus): SubnetStatus | undefined {
  const patch: SubnetStatus = {};
  for (const [key, value] of Object.entries(desired)) {
    if (JSON.stringify(current?.[key]) !== JSON.stringify(value)) patch[key] = value;
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

/**
 * Whether an update is worth a reconcile: anything but the status. A status-only update is
 * almost always the echo of our own status write, and reconciling it wrote the usage again at
 * once, bypassing the coalescing of `Enqueue.subnetStatus` (a third of the PATCHes of a burst).
 */
export function subnetChanged(old: SubnetObject, s: SubnetObject): boolean {
  const a = old.metadata;
  const b = s.metadata;
  if (a.generation !== b.generation || a.deletionTimestamp !== b.deletionTimestamp) return true;
  const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);
  return !same(a.finalizers, b.finalizers) || !same(a.labels, b.labels) || !same(a.annotations, b.annotations) || !same(old.spec, s.spec);
}
