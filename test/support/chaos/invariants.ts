// The invariants of DESIGN §7 / §7a as the chaos test checks them, pure over one snapshot of
// the API (pods, IP objects, subnets) and the leader's /metrics text.
import type { Obj } from '../objects.js';
import { ANN } from '../objects.js';

export interface Snapshot {
  readonly pods: readonly Obj[];
  readonly ips: readonly Obj[];
  readonly subnets: readonly Obj[];
  /** The leader's Prometheus exposition; undefined when no leader answered. */
  readonly metrics: string | undefined;
}

/** What each pod was first seen holding (by uid): an allocation must never change while the pod lives. */
export type History = Map<string, { readonly key: string; readonly ip: string; readonly mac: string; readonly subnet: string; readonly cidr: string; readonly gateway: string }>;

export interface Violation {
  readonly invariant: InvariantName;
  readonly message: string;
}

/**
 * `always` invariants must hold at every observation (a breach is a real double allocation);
 * `quiescent` ones once the controller caught up.
 */
export const INVARIANTS = {
  uniqueByIpObject: 'always',
  uniqueByRecordedAnnotation: 'always',
  allocationNeverChanges: 'always',
  closedMetricLabels: 'always',
  uniqueByAnnotation: 'quiescent',
  annotationsEqualIpObject: 'quiescent',
  noIpObjectWithoutLivePod: 'quiescent',
  everyLivePodAllocated: 'quiescent',
  subnetStatusCountsPods: 'quiescent',
  leaderGaugeCountsPods: 'quiescent',
} as const;
export type InvariantName = keyof typeof INVARIANTS;

export type Counts = Record<InvariantName, { checked: number; violated: number }>;

export function emptyCounts(): Counts {
  return Object.fromEntries(Object.keys(INVARIANTS).map((k) => [k, { checked: 0, violated: 0 }])) as Counts;
}

const key = (p: Obj): string => `${p.metadata.namespace ?? ''}/${p.metadata.name}`;
const ann = (p: Obj, k: string): string | undefined => p.metadata.annotations?.[k];

/** Kube-OVN's `isPodAlive` for the pods this test makes (the double deletes pods at once). */
export function alive(p: Obj): boolean {
  const phase = (p.status as { phase?: string } | undefined)?.phase;
  const policy = (p.spec as { restartPolicy?: string } | undefined)?.restartPolicy ?? 'Always';
  if (phase === 'Succeeded' && policy !== 'Always') return false;
  if (phase === 'Failed' && policy === 'Never') return false;
  return p.metadata.deletionTimestamp === undefined;
}

function ipSpec(ip: Obj): { podName: string; namespace: string; subnet: string; ipAddress: string; macAddress: string } {
  const s = (ip.spec ?? {}) as Record<string, unknown>;
  const str = (k: string): string => (typeof s[k] === 'string' ? (s[k] as string) : '');
  return { podName: str('podName'), namespace: str('namespace'), subnet: str('subnet'), ipAddress: str('ipAddress'), macAddress: str('macAddress') };
}

interface Checker {
  check(name: InvariantName, ok: boolean, message: () => string): void;
  readonly violations: Violation[];
}

function checker(counts: Counts): Checker {
  const violations: Violation[] = [];
  return {
    violations,
    check(name, ok, message) {
      counts[name].checked += 1;
      if (ok) return;
      counts[name].violated += 1;
      violations.push({ invariant: name, message: message() });
    },
  };
}

/** Every address in `pairs` held once; reports each address held twice. */
function unique(c: Checker, name: InvariantName, pairs: readonly (readonly [string, string])[], what: string): void {
  const holder = new Map<string, string>();
  for (const [address, owner] of pairs) {
    const other = holder.get(address);
    c.check(name, other === undefined || other === owner, () => `${what}: ${address} held by both ${other} and ${owner}`);
    holder.set(address, owner);
  }
}

const addresses = (text: string | undefined): string[] => (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

export interface CheckInput {
  readonly snapshot: Snapshot;
  readonly history: History;
  /** Every subnet name this run ever created (metric series of deleted subnets may stay). */
  readonly everServed: ReadonlySet<string>;
  /** Pods that asked for a static address: they may wait forever on a conflict. */
  readonly staticPods: ReadonlySet<string>;
  readonly counts: Counts;
  /** Also check the quiescent invariants. */
  readonly quiescent: boolean;
}

/** Checks one snapshot; records first-seen allocations into `history`. */
export function checkSnapshot(input: CheckInput): Violation[] {
  const { snapshot, history, counts } = input;
  const c = checker(counts);
  const live = snapshot.pods.filter(alive);
  const liveByKey = new Map(live.map((p) => [key(p), p]));
  const ipOf = new Map<string, Obj>();
  for (const ip of snapshot.ips) {
    const s = ipSpec(ip);
    ipOf.set(`${s.namespace}/${s.podName}`, ip);
  }
  const liveIps = [...ipOf.entries()].filter(([k]) => liveByKey.has(k));
  unique(c, 'uniqueByIpObject', liveIps.flatMap(([k, ip]) => addresses(ipSpec(ip).ipAddress).map((a) => [a, k] as const)), 'IP objects of live pods');
  const recorded = live.filter((p) => {
    const ip = ipOf.get(key(p));
    return ip !== undefined && ann(p, ANN.allocated) === 'true' && ann(p, ANN.ip) === ipSpec(ip).ipAddress && ann(p, ANN.ls) === ipSpec(ip).subnet;
  });
  unique(c, 'uniqueByRecordedAnnotation', recorded.flatMap((p) => addresses(ann(p, ANN.ip)).map((a) => [a, key(p)] as const)), 'annotations that match their IP object');
  for (const p of recorded) {
    const uid = p.metadata.uid ?? key(p);
    const s = ipSpec(ipOf.get(key(p)) as Obj);
    const seen = history.get(uid);
    if (seen === undefined) {
      history.set(uid, { key: key(p), ip: s.ipAddress, mac: s.macAddress, subnet: s.subnet, cidr: ann(p, ANN.cidr) ?? '', gateway: ann(p, ANN.gateway) ?? '' });
    }
  }
  for (const p of live) {
    const seen = history.get(p.metadata.uid ?? key(p));
    const ip = ipOf.get(key(p));
    if (seen === undefined || ip === undefined) continue;
    const s = ipSpec(ip);
    c.check('allocationNeverChanges', s.ipAddress === seen.ip && s.subnet === seen.subnet && s.macAddress === seen.mac, () => `${key(p)}: IP object moved from ${seen.ip} (${seen.mac}) in ${seen.subnet} to ${s.ipAddress} (${s.macAddress}) in ${s.subnet}`);
  }
  checkMetricLabels(c, snapshot.metrics, input.everServed);
  if (input.quiescent) checkQuiescent(c, input, live, ipOf);
  return c.violations;
}

function checkMetricLabels(c: Checker, metrics: string | undefined, everServed: ReadonlySet<string>): void {
  if (metrics === undefined) return;
  for (const m of metrics.matchAll(/subnet_name="((?:[^"\\]|\\.)*)"/g)) {
    const value = m[1] ?? '';
    c.check('closedMetricLabels', value === 'unknown' || everServed.has(value), () => `metric label subnet_name=${JSON.stringify(value.slice(0, 60))}${value.length > 60 ? `… (${value.length} chars)` : ''} is not a served subnet`);
  }
}

function checkQuiescent(c: Checker, input: CheckInput, live: readonly Obj[], ipOf: ReadonlyMap<string, Obj>): void {
  const { snapshot, history } = input;
  const allocated = live.filter((p) => ann(p, ANN.allocated) === 'true');
  unique(c, 'uniqueByAnnotation', allocated.flatMap((p) => addresses(ann(p, ANN.ip)).map((a) => [a, key(p)] as const)), 'annotations of live allocated pods');
  for (const p of allocated) {
    const ip = ipOf.get(key(p));
    const s = ip === undefined ? undefined : ipSpec(ip);
    const seen = history.get(p.metadata.uid ?? key(p));
    const same =
      s !== undefined &&
      ann(p, ANN.ip) === s.ipAddress &&
      ann(p, ANN.mac) === s.macAddress &&
      ann(p, ANN.ls) === s.subnet &&
      (seen === undefined || (ann(p, ANN.cidr) === seen.cidr && ann(p, ANN.gateway) === seen.gateway));
    c.check('annotationsEqualIpObject', same, () => `${key(p)}: annotations ${short(p)} but IP object ${s === undefined ? 'missing' : `${s.ipAddress} ${s.macAddress} ${s.subnet}`}`);
  }
  const liveKeys = new Set(live.map(key));
  for (const [k, ip] of ipOf) c.check('noIpObjectWithoutLivePod', liveKeys.has(k), () => `IP object ${ip.metadata.name} (${ipSpec(ip).ipAddress}) has no live pod`);
  for (const p of live) {
    if (input.staticPods.has(key(p)) || waitsOnDeletingSubnet(p, snapshot.subnets)) continue;
    c.check('everyLivePodAllocated', ann(p, ANN.allocated) === 'true' && ipOf.has(key(p)), () => `${key(p)} is live but not allocated (${short(p)})`);
  }
  const counted = countBySubnet(live, ipOf);
  for (const subnet of snapshot.subnets) {
    if (subnet.metadata.deletionTimestamp !== undefined) continue;
    const status = (subnet.status ?? {}) as Record<string, unknown>;
    const name = subnet.metadata.name;
    const want = counted.get(name) ?? { v4: 0, v6: 0 };
    const cidr = String((subnet.spec as { cidrBlock?: string } | undefined)?.cidrBlock ?? '');
    const v6 = cidr.includes(':');
    const v4 = cidr.split(',').some((x) => !x.includes(':'));
    c.check('subnetStatusCountsPods', (!v4 || status['v4usingIPs'] === want.v4) && (!v6 || status['v6usingIPs'] === want.v6), () => `subnet ${name}: status v4usingIPs=${String(status['v4usingIPs'])} v6usingIPs=${String(status['v6usingIPs'])}, live pods hold v4=${want.v4} v6=${want.v6}`);
    if (snapshot.metrics !== undefined && v4) {
      const gauge = gaugeValue(snapshot.metrics, 'subnet_used_ip_count', name, 'IPv4');
      c.check('leaderGaugeCountsPods', gauge === want.v4, () => `leader's subnet_used_ip_count{subnet_name="${name}",protocol="IPv4"} = ${String(gauge)}, live pods hold ${want.v4}`);
    }
  }
}

function countBySubnet(live: readonly Obj[], ipOf: ReadonlyMap<string, Obj>): Map<string, { v4: number; v6: number }> {
  const out = new Map<string, { v4: number; v6: number }>();
  for (const p of live) {
    const ip = ipOf.get(key(p));
    if (ip === undefined) continue;
    const s = ipSpec(ip);
    const entry = out.get(s.subnet) ?? { v4: 0, v6: 0 };
    for (const a of addresses(s.ipAddress)) entry[a.includes(':') ? 'v6' : 'v4'] += 1;
    out.set(s.subnet, entry);
  }
  return out;
}

/** A pod whose namespace is bound only to subnets being deleted waits (Kube-OVN never spills it elsewhere). */
function waitsOnDeletingSubnet(p: Obj, subnets: readonly Obj[]): boolean {
  const bound = subnets.filter((s) => ((s.spec as { namespaces?: string[] } | undefined)?.namespaces ?? []).includes(p.metadata.namespace ?? ''));
  return bound.length > 0 && bound.every((s) => s.metadata.deletionTimestamp !== undefined);
}

function gaugeValue(text: string, metric: string, subnet: string, protocol: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    if (!line.includes(`subnet_name="${subnet}"`) || !line.includes(`protocol="${protocol}"`)) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

function short(p: Obj): string {
  const cut = (v: string | undefined): string => (v === undefined ? '-' : v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return `ip=${cut(ann(p, ANN.ip))} mac=${cut(ann(p, ANN.mac))} ls=${cut(ann(p, ANN.ls))} allocated=${cut(ann(p, ANN.allocated))}`;
}
