/**
 * What the reconcilers share during one leadership term: the caches, the IPAM rebuilt for this
 * term, each reconciler's own bookkeeping (behind its operations), and ways to enqueue each
 * other's keys.
 */
import type { Clock } from '../clock/index.js';
import type { Config } from '../config/types.js';
import type { Ipam } from '../ipam/index.js';
import type { Informer, KubeClient, KubeObject } from '../kube/index.js';
import type { Logger } from '../log/index.js';
import type { NbNetwork } from '../ovn/index.js';
import type { Instruments } from '../telemetry/instruments.js';
import type { EventRecorder } from './events.js';
import type { IpWriteLog } from './ip/write-log.js';
import type { NodeObject } from './node/rules.js';
import type { PodBook } from './pod/book.js';
import type { PodNetwork } from './pod/network.js';
import type { Pod } from './pod/rules.js';
import type { SubnetObject } from './subnet/rules.js';

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

/** The informers every replica runs (standbys too, for a fast takeover). */
export interface Caches {
  readonly pods: Informer<Pod>;
  readonly namespaces: Informer<KubeObject>;
  readonly subnets: Informer<SubnetObject>;
  readonly ips: Informer<IpObject>;
  readonly nodes: Informer<NodeObject>;
}

/** Index of the subnet informer: subnets by the namespaces they bind (`spec.namespaces`). */
export const BIND_NAMESPACE_INDEX = 'bindNamespace';

export function subnetsByBoundNamespace(obj: SubnetObject): string[] {
  const list = obj.spec?.namespaces;
  return Array.isArray(list) ? list.filter((n): n is string => typeof n === 'string') : [];
}

/** State of one leadership term; each part is written only through its owner's operations. */
export interface TermState {
  readonly ipam: Ipam;
  /** The pod reconciler's: committed and parked pods. */
  readonly pods: PodBook;
  /** The IP reconciler's: IP objects this term wrote. */
  readonly ipWrites: IpWriteLog;
}

/** Adds keys to this term's queues; a no-op before the term's workers started. */
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
  /** No-op instruments when metrics are off. */
  readonly instruments: Instruments;
  readonly enqueue: Enqueue;
  /** The pod flow's network step; `NO_POD_NETWORK` when OVN northbound is off. */
  readonly podNetwork: PodNetwork;
  /** OVN northbound; undefined when off (no `--ovn-nb-addr`): addresses only, nothing routed. */
  readonly nb?: NbNetwork;
}
