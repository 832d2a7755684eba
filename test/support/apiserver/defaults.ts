import { invalid } from './errors.js';
import type { FieldCause } from './errors.js';
import { isObject } from './types.js';
import type { KubeObject, ResourceDef } from './types.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** metav1.MicroTime's layout `2006-01-02T15:04:05.000000Z07:00`: exactly six fractional digits. */
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

/** RBAC objects only need a valid path segment (rbac validation's ValidatePathSegmentName). */
function pathSegmentCauses(name: string): FieldCause[] {
  if (name === '.' || name === '..') return [{ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: "${name}": may not be '${name}'` }];
  const bad = ['/', '%'].find((c) => name.includes(c));
  return bad === undefined ? [] : [{ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: "${name}": may not contain '${bad}'` }];
}

function nameCauses(def: ResourceDef, name: string): FieldCause[] {
  if (def.builtin && def.group === 'rbac.authorization.k8s.io') return name === '' ? [{ field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' }] : pathSegmentCauses(name);
  const label = def.plural === 'namespaces';
  const ok = label ? DNS1123_LABEL.test(name) && name.length <= 63 : DNS1123_SUBDOMAIN.test(name) && name.length <= 253;
  if (ok) return [];
  const what = label
    ? `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`
    : `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
  return [{ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: "${name}": ${what}` }];
}

function podDefaults(obj: KubeObject): void {
  const spec = isObject(obj['spec']) ? obj['spec'] : {};
  spec['restartPolicy'] ??= 'Always';
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['schedulerName'] ??= 'default-scheduler';
  spec['terminationGracePeriodSeconds'] ??= 30;
  obj['spec'] = spec;
  obj['status'] = { phase: 'Pending', qosClass: 'BestEffort' };
}

function podCauses(obj: KubeObject): FieldCause[] {
  const spec = obj['spec'];
  const containers = isObject(spec) ? spec['containers'] : undefined;
  if (!Array.isArray(containers) || containers.length === 0) return [{ field: 'spec.containers', reason: 'FieldValueRequired', message: 'Required value' }];
  return containers.flatMap((c, i) =>
    isObject(c) && typeof c['image'] === 'string' && c['image'] !== ''
      ? []
      : [{ field: `spec.containers[${i}].image`, reason: 'FieldValueRequired', message: 'Required value' }],
  );
}

function namespaceDefaults(obj: KubeObject): void {
  const name = obj.metadata.name ?? '';
  obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': name };
  obj['spec'] = { finalizers: ['kubernetes'] };
  obj['status'] = { phase: 'Active' };
}

/** MicroTime fields per resource (`plural.group`), as paths into the object. */
const MICRO_TIME_FIELDS: ReadonlyMap<string, ReadonlyArray<readonly string[]>> = new Map([
  ['leases.coordination.k8s.io', [['spec', 'acquireTime'], ['spec', 'renewTime']]],
  ['events', [['eventTime'], ['series', 'lastObservedTime']]],
  ['events.events.k8s.io', [['eventTime'], ['series', 'lastObservedTime']]],
]);

function badMicroTime(obj: KubeObject, paths: ReadonlyArray<readonly string[]>): string | undefined {
  for (const path of paths) {
    let v: unknown = obj;
    for (const p of path) v = isObject(v) ? v[p] : undefined;
    if (v !== undefined && v !== null && !(typeof v === 'string' && MICRO_TIME.test(v))) return String(v);
  }
  return undefined;
}

function crdCauses(obj: KubeObject): FieldCause[] {
  const spec = obj['spec'];
  if (!isObject(spec)) return [{ field: 'spec', reason: 'FieldValueRequired', message: 'Required value' }];
  const names = isObject(spec['names']) ? spec['names'] : {};
  const causes: FieldCause[] = [];
  const need = (ok: boolean, field: string): void => {
    if (!ok) causes.push({ field, reason: 'FieldValueRequired', message: 'Required value' });
  };
  need(typeof spec['group'] === 'string' && spec['group'] !== '', 'spec.group');
  need(typeof names['plural'] === 'string' && names['plural'] !== '', 'spec.names.plural');
  need(typeof names['kind'] === 'string' && names['kind'] !== '', 'spec.names.kind');
  need(spec['scope'] === 'Namespaced' || spec['scope'] === 'Cluster', 'spec.scope');
  need(Array.isArray(spec['versions']) && spec['versions'].length > 0, 'spec.versions');
  const expected = `${String(names['plural'])}.${String(spec['group'])}`;
  if (causes.length === 0 && obj.metadata.name !== expected) {
    causes.push({ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: "${obj.metadata.name ?? ''}": must be spec.names.plural+"."+spec.group` });
  }
  return causes;
}

function crdStatus(obj: KubeObject): void {
  const spec = obj['spec'] as Record<string, unknown>;
  const versions = (spec['versions'] as unknown[]).filter(isObject);
  const storage = versions.find((v) => v['storage'] === true) ?? versions[0] ?? {};
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const condition = (type: string, reason: string, message: string): Record<string, unknown> => ({ type, status: 'True', lastTransitionTime: now, reason, message });
  obj['status'] = {
    conditions: [condition('NamesAccepted', 'NoConflicts', 'no conflicts found'), condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted')],
    acceptedNames: spec['names'],
    storedVersions: [String(storage['name'])],
  };
}

/**
 * Server-side defaulting on create (what admission and strategies add in a real cluster):
 * the status subresource's `.status` is dropped first, then per-kind defaults apply.
 */
export function defaultOnCreate(def: ResourceDef, obj: KubeObject): void {
  // Nodes keep their status: the kubelet registers a Node with it in one create.
  if (def.statusSubresource && !(def.builtin && def.plural === 'nodes')) delete obj['status'];
  if (def.builtin && def.group === '' && def.plural === 'pods') podDefaults(obj);
  else if (def.builtin && def.group === '' && def.plural === 'namespaces') namespaceDefaults(obj);
  else if (def.builtin && def.plural === 'customresourcedefinitions') crdStatus(obj);
}

/** Throws the 422 Invalid a real server answers for the checks we model. */
export function validate(def: ResourceDef, obj: KubeObject, creating: boolean): void {
  const causes = creating ? nameCauses(def, obj.metadata.name ?? '') : [];
  if (def.builtin && def.group === '' && def.plural === 'pods') causes.push(...podCauses(obj));
  if (def.builtin && def.plural === 'customresourcedefinitions') causes.push(...crdCauses(obj));
  if (causes.length > 0) throw invalid(def, obj.metadata.name ?? '', causes);
}

/**
 * MicroTime fields (Lease acquire/renewTime, Event eventTime) are parsed at decode time in
 * kube-apiserver, so a bad one is a 400 BadRequest "cannot be handled as a <Kind>", not a 422
 * (kubernetes-client/javascript#828).
 */
export function microTimeProblem(def: ResourceDef, obj: KubeObject): string | undefined {
  const paths = def.builtin ? MICRO_TIME_FIELDS.get(def.group === '' ? def.plural : `${def.plural}.${def.group}`) : undefined;
  const bad = paths === undefined ? undefined : badMicroTime(obj, paths);
  if (bad === undefined) return undefined;
  const frac = /(\.\d*)?(Z|[+-]\d{2}:\d{2})?$/.exec(bad)?.[0] ?? bad;
  return `${def.kind} in version "v1" cannot be handled as a ${def.kind}: parsing time "${bad}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "${frac}" as ".000000"`;
}
