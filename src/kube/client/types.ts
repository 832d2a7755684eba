/** Object metadata as it travels on the wire (JSON); timestamps stay RFC 3339 strings. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

/**
 * A Kubernetes object exactly as decoded from JSON. The client never runs client-node's
 * deserialiser, so timestamps are always strings (client-node mixes `Date` and strings,
 * kubernetes-client/javascript issue #655).
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** A list answer: items plus the list's resourceVersion and continue token. */
export interface KubeList<T extends KubeObject = KubeObject> {
  readonly items: T[];
  readonly resourceVersion: string;
  /** Empty or absent when this was the last page. */
  readonly continue?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** One line of a watch stream. For `ERROR` the object is a `Status`. */
export interface WatchEvent<T extends KubeObject = KubeObject> {
  readonly type: WatchEventType;
  readonly object: T;
}

/** `metav1.Status` as returned in error bodies and in-band watch `ERROR` events. */
export interface StatusBody {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; retryAfterSeconds?: number; causes?: unknown[] };
}
