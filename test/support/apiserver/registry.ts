import { isObject, resourceKey } from './types.js';
import type { KubeObject, PrinterColumn, ResourceDef } from './types.js';

function get(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function field(...path: string[]): (obj: KubeObject) => string {
  return (obj) => {
    const v = get(obj, path);
    return v === undefined || v === null ? '' : String(v);
  };
}

interface DefInput {
  group?: string;
  versions?: string[];
  plural: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  statusSubresource?: boolean;
  builtin?: boolean;
  hasGeneration?: boolean;
  fieldLabels?: Array<[string, (obj: KubeObject) => string]>;
  printerColumns?: PrinterColumn[];
  verbs?: string[];
  subresources?: string[];
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function def(input: DefInput): ResourceDef {
  return {
    group: input.group ?? '',
    versions: input.versions ?? ['v1'],
    plural: input.plural,
    singular: input.kind.toLowerCase(),
    kind: input.kind,
    listKind: `${input.kind}List`,
    namespaced: input.namespaced,
    shortNames: input.shortNames ?? [],
    categories: input.categories ?? [],
    statusSubresource: input.statusSubresource ?? false,
    builtin: input.builtin ?? true,
    hasGeneration: input.hasGeneration ?? true,
    fieldLabels: new Map(input.fieldLabels ?? []),
    printerColumns: input.printerColumns ?? [],
    verbs: input.verbs ?? VERBS,
    subresources: input.subresources ?? [],
  };
}

/** Create-only review resources of authentication.k8s.io and authorization.k8s.io (answered, not stored). */
function reviewDefs(): ResourceDef[] {
  const review = (group: string, plural: string, kind: string, namespaced = false): ResourceDef =>
    def({ group, plural, kind, namespaced, hasGeneration: false, verbs: ['create'] });
  return [
    review('authentication.k8s.io', 'tokenreviews', 'TokenReview'),
    review('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview'),
    review('authorization.k8s.io', 'subjectaccessreviews', 'SubjectAccessReview'),
    review('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
    review('authorization.k8s.io', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true),
  ];
}

/** Core and apps kinds kubectl's everyday verbs touch, and RBAC. */
function workloadDefs(): ResourceDef[] {
  const rbac = 'rbac.authorization.k8s.io';
  return [
    def({ plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'], hasGeneration: false, subresources: ['token'] }),
    def({ plural: 'configmaps', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], hasGeneration: false }),
    def({ plural: 'secrets', kind: 'Secret', namespaced: true, hasGeneration: false, fieldLabels: [['type', field('type')]] }),
    def({ plural: 'services', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: ['all'], statusSubresource: true, hasGeneration: false }),
    def({ group: 'apps', plural: 'deployments', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'], statusSubresource: true }),
    def({ group: rbac, plural: 'roles', kind: 'Role', namespaced: true, hasGeneration: false }),
    def({ group: rbac, plural: 'clusterroles', kind: 'ClusterRole', namespaced: false, hasGeneration: false }),
    def({ group: rbac, plural: 'rolebindings', kind: 'RoleBinding', namespaced: true, hasGeneration: false }),
    def({ group: rbac, plural: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false, hasGeneration: false }),
  ];
}

/** The built-in resources this double serves (field labels as in kube-apiserver's `*ToSelectableFields`). */
export function builtinDefs(): ResourceDef[] {
  return [
    def({
      plural: 'pods', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'], statusSubresource: true,
      // kube-apiserver 1.32 sets no metadata.generation on pods (pod generation arrived in 1.33).
      hasGeneration: false,
      fieldLabels: [
        ['spec.nodeName', field('spec', 'nodeName')], ['spec.restartPolicy', field('spec', 'restartPolicy')],
        ['spec.schedulerName', field('spec', 'schedulerName')], ['spec.serviceAccountName', field('spec', 'serviceAccountName')],
        ['spec.hostNetwork', (o) => String(get(o, ['spec', 'hostNetwork']) === true)], ['status.phase', field('status', 'phase')],
        ['status.podIP', field('status', 'podIP')], ['status.nominatedNodeName', field('status', 'nominatedNodeName')],
      ],
    }),
    def({ plural: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'], statusSubresource: true, hasGeneration: false, fieldLabels: [['status.phase', field('status', 'phase')]] }),
    def({
      plural: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'], hasGeneration: false,
      fieldLabels: [
        ['involvedObject.kind', field('involvedObject', 'kind')], ['involvedObject.namespace', field('involvedObject', 'namespace')],
        ['involvedObject.name', field('involvedObject', 'name')], ['involvedObject.uid', field('involvedObject', 'uid')],
        ['involvedObject.apiVersion', field('involvedObject', 'apiVersion')], ['involvedObject.resourceVersion', field('involvedObject', 'resourceVersion')],
        ['involvedObject.fieldPath', field('involvedObject', 'fieldPath')], ['reason', field('reason')], ['reportingComponent', field('reportingComponent')],
        ['source', field('source', 'component')], ['type', field('type')],
      ],
    }),
    // Stored apart from core/v1 Events here (a real server converts between the two).
    def({
      group: 'events.k8s.io', plural: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'], hasGeneration: false,
      fieldLabels: [
        ['regarding.kind', field('regarding', 'kind')], ['regarding.namespace', field('regarding', 'namespace')],
        ['regarding.name', field('regarding', 'name')], ['regarding.uid', field('regarding', 'uid')],
        ['reason', field('reason')], ['reportingController', field('reportingController')], ['type', field('type')],
      ],
    }),
    def({ plural: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'], statusSubresource: true, hasGeneration: false, fieldLabels: [['spec.unschedulable', (o) => String(get(o, ['spec', 'unschedulable']) === true)]] }),
    def({ group: 'coordination.k8s.io', plural: 'leases', kind: 'Lease', namespaced: true, hasGeneration: false }),
    def({ group: 'apiextensions.k8s.io', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false, shortNames: ['crd', 'crds'], statusSubresource: true }),
    ...workloadDefs(),
    ...reviewDefs(),
  ];
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function printerColumns(version: Record<string, unknown>): PrinterColumn[] {
  const cols = version['additionalPrinterColumns'];
  if (!Array.isArray(cols)) return [];
  return cols.filter(isObject).map((c) => ({
    name: String(c['name'] ?? ''), type: String(c['type'] ?? 'string'), jsonPath: String(c['jsonPath'] ?? ''),
    ...(typeof c['description'] === 'string' ? { description: c['description'] } : {}),
    ...(typeof c['priority'] === 'number' ? { priority: c['priority'] } : {}),
  }));
}

/** The resource a (validated) CRD serves; field labels are only metadata.name/namespace for custom resources. */
export function defFromCrd(crd: KubeObject): ResourceDef {
  const spec = crd['spec'] as Record<string, unknown>;
  const names = spec['names'] as Record<string, unknown>;
  const versions = (spec['versions'] as unknown[]).filter(isObject).filter((v) => v['served'] !== false);
  // kube-apiserver prefers the storage version for discovery ordering; serve it first.
  versions.sort((a, b) => Number(b['storage'] === true) - Number(a['storage'] === true));
  const first = versions[0] ?? {};
  const kind = String(names['kind']);
  return {
    group: String(spec['group']),
    versions: versions.map((v) => String(v['name'])),
    plural: String(names['plural']),
    singular: typeof names['singular'] === 'string' ? names['singular'] : kind.toLowerCase(),
    kind,
    listKind: typeof names['listKind'] === 'string' ? names['listKind'] : `${kind}List`,
    namespaced: spec['scope'] === 'Namespaced',
    shortNames: asStrings(names['shortNames']),
    categories: asStrings(names['categories']),
    statusSubresource: isObject(first['subresources']) && isObject((first['subresources'] as Record<string, unknown>)['status']),
    builtin: false,
    hasGeneration: true,
    fieldLabels: new Map(),
    printerColumns: printerColumns(first),
    verbs: VERBS,
    subresources: [],
  };
}

/** Served resources by `plural.group`, plus lookup by group/version/plural as the router needs it. */
export class Registry {
  private readonly defs = new Map<string, ResourceDef>();
  /** Order of groups as first registered, core ('') first; discovery lists them in this order. */
  private readonly groupOrder: string[] = [];

  constructor(initial: readonly ResourceDef[] = builtinDefs()) {
    for (const d of initial) this.add(d);
  }

  /** Bumped whenever the served set changes (OpenAPI documents are cached per generation). */
  generation = 0;

  add(d: ResourceDef): void {
    this.generation += 1;
    this.defs.set(resourceKey(d.group, d.plural), d);
    if (!this.groupOrder.includes(d.group)) this.groupOrder.push(d.group);
  }

  remove(group: string, plural: string): void {
    this.generation += 1;
    this.defs.delete(resourceKey(group, plural));
    if (![...this.defs.values()].some((d) => d.group === group)) {
      const i = this.groupOrder.indexOf(group);
      if (i >= 0) this.groupOrder.splice(i, 1);
    }
  }

  byKey(key: string): ResourceDef | undefined {
    return this.defs.get(key);
  }

  lookup(group: string, version: string, plural: string): ResourceDef | undefined {
    const d = this.defs.get(resourceKey(group, plural));
    return d !== undefined && d.versions.includes(version) ? d : undefined;
  }

  groups(): string[] {
    return [...this.groupOrder];
  }

  inGroupVersion(group: string, version: string): ResourceDef[] {
    return [...this.defs.values()].filter((d) => d.group === group && d.versions.includes(version));
  }

  /** Served versions of a group, preferred first. */
  versionsOf(group: string): string[] {
    const out: string[] = [];
    for (const d of this.defs.values()) {
      if (d.group !== group) continue;
      for (const v of d.versions) if (!out.includes(v)) out.push(v);
    }
    return out;
  }
}
