/** A Kubernetes object as JSON: always a plain object with `metadata`. */
export type KubeObject = Record<string, unknown> & { metadata: ObjectMeta };

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

/** One served resource (a built-in or a CRD's plural), single stored shape for all its versions. */
export interface ResourceDef {
  readonly group: string;
  /** Served versions; the first is the preferred (storage) one. */
  readonly versions: readonly string[];
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly listKind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly statusSubresource: boolean;
  /** Built-ins accept unconditional PUT and strategic merge patch; custom resources do not. */
  readonly builtin: boolean;
  /** Whether `metadata.generation` is maintained (absent on Namespaces/Events in real clusters). */
  readonly hasGeneration: boolean;
  /** Field selector labels beyond metadata.name/metadata.namespace, with their extractors. */
  readonly fieldLabels: ReadonlyMap<string, (obj: KubeObject) => string>;
  /** Discovery verbs; `['create']` marks a review resource that is answered, never stored. */
  readonly verbs: readonly string[];
  /** Subresources besides `status` (e.g. `token` on serviceaccounts). */
  readonly subresources: readonly string[];
  /** CRD printer columns (`jsonPath` relative to the object), used for Table responses. */
  readonly printerColumns: readonly PrinterColumn[];
}

export interface PrinterColumn {
  readonly name: string;
  readonly type: string;
  readonly jsonPath: string;
  readonly description?: string;
  readonly priority?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A recorded write; `prev` is the state before (absent for ADDED). */
export interface StoreEvent {
  readonly rv: number;
  readonly type: WatchEventType;
  readonly resource: string;
  readonly object: KubeObject;
  readonly prev: KubeObject | undefined;
  /** Encoded watch lines, filled lazily so N watchers share one encoding. */
  lines?: Map<string, string>;
}

export function resourceKey(group: string, plural: string): string {
  return group === '' ? plural : `${plural}.${group}`;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
