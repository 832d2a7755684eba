/**
 * What the three reconcilers share during one leadership term: the caches, the IPAM rebuilt
 * for this term, bookkeeping between pods and subnets, and ways to enqueue each other's keys.
 */
import type { Config } from '../config/types.js';
import type { Ipam } from '../ipam/index.js';
import type { Clock, Informer, KubeClient, KubeObject } from '../kube/index.js';
import type { Logger } from '../log/index.js';
import type { Instruments } from '../telemetry/instruments.js';
import type { EventRecorder } from './events.js';
import type { Pod } from './pod-rules.js';
import type { SubnetObject } from './subnet-rules.js';

/** An `IP` object (Kube-OVN field names). */
export interface IpObject extends KubeObject {
  spec?: {
    podName?: string;
    namespace?: string;
    subnet?: string;
    nodeName?: string;
    ipAddress?: string;
    v4IpAddress?: string;
    v6IpAddress?: string;
    macAddress?: string;
    [key: string]: unknown;
  };
}

/** The informers every replica runs. */
export interface Caches {
  readonly pods: Informer<Pod>;
  readonly namespaces: Informer<KubeObject>;
  readonly subnets: Informer<SubnetObject>;
  readonly ips: Informer<IpObject>;
}

/** Index of the subnet informer: subnets by the namespaces they bind (`spec.namespaces`). */
export const BIND_NAMESPACE_INDEX = 'bindNamespace';

export function subnetsByBoundNamespace(obj: SubnetObject): string[] {
  const list = obj.spec?.namespaces;
  return Array.isArray(list) ? list.filter((n): n is string => typeof n === 'string') : [];
}

/** Mutable state of one leadership term. */
export interface TermState {
  readonly ipam: Ipam;
  /** Pod keys whose annotations are known to carry their IPAM allocation (patched, or seen). */
  readonly confirmed: Set<string>;
  /** Pods that could not get an address, by the subnet they wait for. */
  readonly waiting: Map<string, Set<string>>;
  /**
   * IP objects this term wrote, by name, with a fingerprint of what was written: a reconcile
   * that runs before the informer delivers our own create must not create it again.
   * Cleared when the informer reports the object deleted.
   */
  readonly ipWritten: Map<string, string>;
}

export interface Enqueue {
  pod(key: string): void;
  subnet(name: string): void;
  /** A subnet's usage changed: its status is refreshed soon (coalesced). */
  subnetStatus(name: string): void;
  ip(name: string): void;
}

export interface ControllerContext {
  readonly config: Config;
  readonly client: KubeClient;
  readonly caches: Caches;
  readonly term: TermState;
  readonly events: EventRecorder;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly instruments: Instruments | undefined;
  readonly enqueue: Enqueue;
}

/** Remembers that `key` waits for `subnet`. */
export function addWaiting(term: TermState, subnet: string, key: string): void {
  let set = term.waiting.get(subnet);
  if (set === undefined) {
    set = new Set();
    term.waiting.set(subnet, set);
  }
  set.add(key);
}

/** Enqueues the pods waiting for `subnet` (every subnet when undefined) and forgets them. */
export function wakeWaiting(term: TermState, enqueuePod: (key: string) => void, subnet?: string): void {
  const subnets = subnet === undefined ? [...term.waiting.keys()] : [subnet];
  for (const name of subnets) {
    const set = term.waiting.get(name);
    if (set === undefined) continue;
    term.waiting.delete(name);
    for (const key of set) enqueuePod(key);
  }
}
