import { formatTime } from '../../clock/index.js';
import type { KubeObject } from './types.js';

/** `source.component` and `reportingComponent` of every Event this controller writes. */
export const EVENT_COMPONENT = 'kube-ovn-controller';

/** What an Event is about, taken from the involved object. */
export interface InvolvedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Empty or absent for cluster-scoped objects. */
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export interface EventInput {
  readonly involvedObject: InvolvedObject;
  readonly type: 'Normal' | 'Warning';
  /** CamelCase machine reason, e.g. `NoAvailableAddress`. */
  readonly reason: string;
  /** Human message; kube-apiserver truncates beyond 1 KiB, so keep it short. */
  readonly message: string;
  /** `source.host`; usually the node name; optional. */
  readonly host?: string;
  /** `reportingInstance`; usually the pod name; optional. */
  readonly instance?: string;
  /** Occurrences so far (a recorder that counts repeats); default 1. */
  readonly count?: number;
  /** `firstTimestamp` / `lastTimestamp`, ms since the epoch; default the time of the write. */
  readonly firstMs?: number;
  readonly lastMs?: number;
}

/**
 * A core/v1 Event for `input` at time `nowMs`. Events of cluster-scoped objects (Subnets,
 * IPs) go to the `default` namespace, as client-go's recorder does; the name is
 * `<object>.<hex nanoseconds>` like client-go's, so it is unique without `generateName`:
 * `seq` (a writer's running count) fills the nanoseconds a millisecond clock lacks, so two
 * Events about one object in the same millisecond do not collide.
 */
export function buildEvent(input: EventInput, nowMs: number, seq = 0): KubeObject {
  const involved = input.involvedObject;
  const namespace = involved.namespace !== undefined && involved.namespace !== '' ? involved.namespace : 'default';
  const nanos = BigInt(Math.floor(nowMs)) * 1_000_000n + BigInt(seq % 1_000_000);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${involved.name}.${nanos.toString(16)}`, namespace },
    involvedObject: { ...involved },
    reason: input.reason,
    message: input.message,
    type: input.type,
    source: input.host === undefined ? { component: EVENT_COMPONENT } : { component: EVENT_COMPONENT, host: input.host },
    firstTimestamp: formatTime(input.firstMs ?? nowMs),
    lastTimestamp: formatTime(input.lastMs ?? nowMs),
    count: input.count ?? 1,
    reportingComponent: EVENT_COMPONENT,
    reportingInstance: input.instance ?? '',
  };
}

/** The involvedObject reference of a stored object. */
export function involvedObjectOf(obj: KubeObject, apiVersion: string, kind: string): InvolvedObject {
  const meta = obj.metadata;
  return {
    apiVersion: obj.apiVersion ?? apiVersion,
    kind: obj.kind ?? kind,
    name: meta.name ?? '',
    ...(meta.namespace === undefined ? {} : { namespace: meta.namespace }),
    ...(meta.uid === undefined ? {} : { uid: meta.uid }),
    ...(meta.resourceVersion === undefined ? {} : { resourceVersion: meta.resourceVersion }),
  };
}
