// OpenAPI schemas (kube-openapi's shapes and definition names) for built-in kinds, derived from the
// protobuf schema in ./proto (same fields, same JSON names), and for custom resources from their
// CRD's openAPIV3Schema.
import type { Field, Type } from 'protobufjs';
import { isObject } from './types.js';
import type { KubeObject, ResourceDef } from './types.js';

export type Schema = Record<string, unknown>;
/** Turns a definition name into a reference (`#/definitions/...` in v2, `#/components/schemas/...` in v3). */
export type RefOf = (name: string) => string;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const OBJECT_META = `${META}.ObjectMeta`;
export const LIST_META = `${META}.ListMeta`;

/** `k8s.io.api.core.v1.Pod` -> `io.k8s.api.core.v1.Pod`, as kube-openapi names definitions. */
export function definitionName(t: Type): string {
  return t.fullName.replace(/^\./, '').replace(/^k8s\.io\./, 'io.k8s.');
}

/** `kubeovn.io` + v1 + Subnet -> `io.kubeovn.v1.Subnet`. */
export function customDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

function special(name: string, v3: boolean): Schema | undefined {
  switch (name) {
    case `${META}.Time`:
    case `${META}.MicroTime`: return { type: 'string', format: 'date-time' };
    case `${META}.Duration`: return { type: 'string' };
    case `${META}.FieldsV1`:
    case 'io.k8s.apimachinery.pkg.runtime.RawExtension': return { type: 'object' };
    case 'io.k8s.apimachinery.pkg.util.intstr.IntOrString': return v3 ? { 'x-kubernetes-int-or-string': true } : { type: 'string', format: 'int-or-string' };
    case 'io.k8s.apimachinery.pkg.api.resource.Quantity': return { type: 'string' };
    default: return name.endsWith('.ExtraValue') || name.endsWith('.AttestationValue') ? { type: 'array', items: { type: 'string', default: '' } } : undefined;
  }
}

const SCALARS: Record<string, Schema> = {
  string: { type: 'string' },
  bytes: { type: 'string', format: 'byte' },
  bool: { type: 'boolean' },
  int32: { type: 'integer', format: 'int32' },
  uint32: { type: 'integer', format: 'int32' },
  int64: { type: 'integer', format: 'int64' },
  uint64: { type: 'integer', format: 'int64' },
  double: { type: 'number', format: 'double' },
  float: { type: 'number', format: 'float' },
};

function elementSchema(f: Field, refOf: RefOf): Schema {
  const sub = f.resolvedType;
  if (sub !== null && 'fields' in sub) return { $ref: refOf(definitionName(sub)) };
  return { ...(SCALARS[f.type] ?? { type: 'string' }) };
}

function fieldSchema(f: Field, refOf: RefOf): Schema {
  const element = elementSchema(f, refOf);
  const opts = f.options ?? {};
  const patch: Schema = {};
  if (typeof opts['(patch_strategy)'] === 'string') patch['x-kubernetes-patch-strategy'] = opts['(patch_strategy)'];
  if (typeof opts['(patch_merge_key)'] === 'string') patch['x-kubernetes-patch-merge-key'] = opts['(patch_merge_key)'];
  if (f.map) return { type: 'object', additionalProperties: element, ...patch };
  if (f.repeated) return { type: 'array', items: element, ...patch };
  return { ...element, ...patch };
}

/** One definition per message; `gvk` marks the kinds (kubectl finds a kind's schema by it). */
export function messageSchema(t: Type, refOf: RefOf, v3: boolean, gvk?: { group: string; version: string; kind: string }): Schema {
  const fixed = special(definitionName(t), v3);
  if (fixed !== undefined) return fixed;
  const properties: Record<string, Schema> = {};
  const add = (type: Type): void => {
    for (const f of type.fieldsArray) {
      const sub = f.resolvedType;
      if (f.options?.['(inline)'] === true && sub !== null && 'fields' in sub) add(sub);
      else properties[typeof f.options?.['json_name'] === 'string' ? f.options['json_name'] : f.name] = fieldSchema(f, refOf);
    }
  };
  add(t);
  if (gvk !== undefined) {
    properties['apiVersion'] = { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' };
    properties['kind'] = { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' };
  }
  return { type: 'object', properties, ...(gvk === undefined ? {} : { 'x-kubernetes-group-version-kind': [gvk] }) };
}

/** Every message reachable from `roots` (for the components of one group-version document). */
export function closure(roots: readonly Type[]): Type[] {
  const seen = new Map<string, Type>();
  const queue = [...roots];
  while (queue.length > 0) {
    const t = queue.pop();
    if (t === undefined || seen.has(t.fullName)) continue;
    seen.set(t.fullName, t);
    for (const f of t.fieldsArray) {
      const sub = f.resolvedType;
      if (sub !== null && 'fields' in sub) queue.push(sub);
    }
  }
  return [...seen.values()];
}

/** Rewrites `$ref`-free CRD schema nodes for the target document (v2 has no `nullable`). */
function crdNode(node: unknown, v3: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => crdNode(n, v3));
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (!v3 && (k === 'nullable' || k === 'oneOf' || k === 'anyOf' || k === 'not')) continue;
    out[k] = crdNode(v, v3);
  }
  return out;
}

/** The schema of a custom resource in `version`, as kube-apiserver publishes it (metadata is ObjectMeta). */
export function customResourceSchema(crd: KubeObject, def: ResourceDef, version: string, refOf: RefOf, v3: boolean): Schema {
  const versions = (isObject(crd['spec']) && Array.isArray(crd['spec']['versions']) ? crd['spec']['versions'] : []).filter(isObject);
  const v = versions.find((x) => x['name'] === version) ?? {};
  const schema = isObject(v['schema']) && isObject(v['schema']['openAPIV3Schema']) ? v['schema']['openAPIV3Schema'] : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const base = crdNode(schema, v3) as Schema;
  const properties = isObject(base['properties']) ? { ...base['properties'] } : {};
  properties['apiVersion'] = { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' };
  properties['kind'] = { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' };
  properties['metadata'] = { $ref: refOf(OBJECT_META) };
  return { ...base, type: 'object', properties, 'x-kubernetes-group-version-kind': [{ group: def.group, kind: def.kind, version }] };
}

export function customListSchema(def: ResourceDef, version: string, refOf: RefOf): Schema {
  return {
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string' },
      items: { type: 'array', items: { $ref: refOf(customDefinitionName(def.group, version, def.kind)) } },
      kind: { type: 'string' },
      metadata: { $ref: refOf(LIST_META) },
    },
    'x-kubernetes-group-version-kind': [{ group: def.group, kind: def.listKind, version }],
  };
}
