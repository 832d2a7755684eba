/** Which API resource a request addresses. */
export interface Resource {
  /** API group; `''` for the core group. */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural as in the URL, e.g. `pods`. */
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export const RESOURCES = Object.freeze({
  pods: { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  namespaces: { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  nodes: { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false },
  events: { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true },
  subnets: { group: 'kubeovn.io', version: 'v1', plural: 'subnets', kind: 'Subnet', namespaced: false },
  ips: { group: 'kubeovn.io', version: 'v1', plural: 'ips', kind: 'IP', namespaced: false },
  tokenreviews: { group: 'authentication.k8s.io', version: 'v1', plural: 'tokenreviews', kind: 'TokenReview', namespaced: false },
  subjectaccessreviews: { group: 'authorization.k8s.io', version: 'v1', plural: 'subjectaccessreviews', kind: 'SubjectAccessReview', namespaced: false },
} satisfies Record<string, Resource>);

export type ResourceName = keyof typeof RESOURCES;

/** `apiVersion` of a resource's objects: `v1` or `kubeovn.io/v1`. */
export function apiVersionOf(resource: Resource): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/**
 * URL path of a collection or one object. `namespace` is required for a namespaced resource
 * when `name` is given; without a name and namespace a namespaced resource is listed across
 * all namespaces.
 */
export function resourcePath(resource: Resource, options: { namespace?: string; name?: string; subresource?: string } = {}): string {
  const base = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  const { namespace, name, subresource } = options;
  if (resource.namespaced && name !== undefined && (namespace === undefined || namespace === '')) {
    throw new Error(`${resource.plural} "${name}": a namespace is required for a namespaced resource`);
  }
  const ns = resource.namespaced && namespace !== undefined && namespace !== '' ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const one = name === undefined ? '' : `/${encodeURIComponent(name)}`;
  const sub = subresource === undefined ? '' : `/${subresource}`;
  return `${base}${ns}/${resource.plural}${one}${sub}`;
}

/** RBAC verbs (Kubernetes authorization attributes), not HTTP methods. */
export type RbacVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

/** One row of the access this controller needs: a resource (optionally its subresource) and verbs. */
export interface ApiUsage {
  readonly resource: Resource;
  readonly subresource?: 'status';
  readonly verbs: readonly RbacVerb[];
  /** Why the controller needs it; copied into review comments of generated RBAC. */
  readonly why: string;
  /** Needed only with this feature on (its own kustomize overlay grants it). */
  readonly feature?: 'secure-serving';
}

/**
 * Every resource/verb the controller's code uses, declared once. test/deploy/rbac-usage.test.ts
 * derives the same set from the client calls in src (with the TypeScript checker) and fails when
 * this table, the code or deploy/ disagree: a verb granted but unused, or used but not granted.
 */
export const API_USAGE: readonly ApiUsage[] = Object.freeze([
  { resource: RESOURCES.pods, verbs: ['get', 'list', 'watch', 'patch'], why: 'informer; orphaned IP check; one merge patch of the allocation annotations' },
  { resource: RESOURCES.namespaces, verbs: ['list', 'watch'], why: 'informer' },
  { resource: RESOURCES.events, verbs: ['create', 'patch'], why: 'Events on pods and subnets; a repeat patches the count of the Event written' },
  { resource: RESOURCES.nodes, verbs: ['list', 'watch', 'patch'], why: 'informer; one merge patch of the join address annotations per node' },
  { resource: RESOURCES.leases, verbs: ['get', 'create', 'update'], why: 'leader election' },
  { resource: RESOURCES.subnets, verbs: ['list', 'watch', 'create', 'patch'], why: 'informer; default subnet; defaulting and finalizers by merge patch' },
  { resource: RESOURCES.subnets, subresource: 'status', verbs: ['patch'], why: 'Subnet status and conditions' },
  { resource: RESOURCES.ips, verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'], why: 'informer; IP objects per pod; finalizers' },
  { resource: RESOURCES.tokenreviews, verbs: ['create'], why: 'secure metrics serving: authenticate scrapers', feature: 'secure-serving' },
  { resource: RESOURCES.subjectaccessreviews, verbs: ['create'], why: 'secure metrics serving: authorize scrapers', feature: 'secure-serving' },
]);

/** An RBAC `PolicyRule` as it appears in a ClusterRole. */
export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly RbacVerb[];
}

/** The ClusterRole rules implied by `usage` (default `API_USAGE`), one rule per row, verbs sorted. */
export function policyRules(usage: readonly ApiUsage[] = API_USAGE): PolicyRule[] {
  return usage.map((row) => ({
    apiGroups: [row.resource.group],
    resources: [row.subresource === undefined ? row.resource.plural : `${row.resource.plural}/${row.subresource}`],
    verbs: [...row.verbs].sort(),
  }));
}
