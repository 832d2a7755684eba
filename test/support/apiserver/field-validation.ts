// Server-side field validation (`?fieldValidation=Strict|Warn|Ignore`, default Warn): fields a built-in's
// Go type or a custom resource's structural schema does not declare are rejected (Strict, 400 with
// kube-apiserver's strict decoding message) or dropped with a `Warning` header (Warn) or silently (Ignore).
import type { Type } from 'protobufjs';
import { badRequest } from './errors.js';
import { fullName, isSpecial, jsonFields } from './pb-codec.js';
import type { ProtoCatalog } from './protobuf.js';
import type { Store } from './store.js';
import { isObject } from './types.js';
import type { KubeObject, ResourceDef } from './types.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidation(params: URLSearchParams): FieldValidation {
  const raw = params.get('fieldValidation') ?? '';
  if (raw === '') return 'Warn';
  if (raw === 'Strict' || raw === 'Warn' || raw === 'Ignore') return raw;
  throw badRequest(`fieldValidation: Invalid value: "${raw}": supported values: "Ignore", "Strict", "Warn"`);
}

const OBJECT_META = 'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** Unknown fields under a protobuf-described value; `drop` removes them as it goes. */
function walkType(t: Type, value: unknown, path: string, out: string[], drop: boolean): void {
  if (!isObject(value) || isSpecial(fullName(t))) return;
  const fields = jsonFields(t);
  for (const [key, v] of Object.entries(value)) {
    const entry = fields.get(key);
    if (entry === undefined) {
      out.push(`${path}${key}`);
      if (drop) delete value[key];
      continue;
    }
    const sub = entry.field.resolvedType;
    if (sub === null || !('fields' in sub)) continue;
    if (entry.field.map && isObject(v)) for (const [k, item] of Object.entries(v)) walkType(sub, item, `${path}${key}[${k}].`, out, drop);
    else if (entry.field.repeated && Array.isArray(v)) v.forEach((item, i) => walkType(sub, item, `${path}${key}[${i}].`, out, drop));
    else walkType(sub, v, `${path}${key}.`, out, drop);
  }
}

/** Unknown fields under a structural schema node (pruning rules of apiextensions-apiserver). */
function walkSchema(schema: Record<string, unknown>, value: unknown, path: string, out: string[], drop: boolean): void {
  if (Array.isArray(value)) {
    const items = schema['items'];
    if (isObject(items)) value.forEach((item, i) => walkSchema(items, item, `${path.replace(/\.$/, '')}[${i}].`, out, drop));
    return;
  }
  if (!isObject(value)) return;
  const props = isObject(schema['properties']) ? schema['properties'] : undefined;
  const extra = schema['additionalProperties'];
  const keepAll = schema['x-kubernetes-preserve-unknown-fields'] === true || extra === true;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  if (props === undefined && !isObject(extra)) {
    if (!keepAll && schema['type'] === 'object') for (const key of Object.keys(value)) flag(value, key, path, out, drop);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const child = props?.[key] ?? (isObject(extra) ? extra : undefined);
    if (isObject(child)) walkSchema(child, v, `${path}${key}.`, out, drop);
    else if (!keepAll && !(embedded && ['apiVersion', 'kind', 'metadata'].includes(key))) flag(value, key, path, out, drop);
  }
}

function flag(obj: Record<string, unknown>, key: string, path: string, out: string[], drop: boolean): void {
  out.push(`${path}${key}`);
  if (drop) delete obj[key];
}

/**
 * Applies the directive to an object about to be written (mutating it when fields are dropped)
 * and returns the warnings to send; Strict throws kube-apiserver's 400.
 */
export function validateFields(catalog: ProtoCatalog, store: Store, def: ResourceDef, obj: KubeObject, mode: FieldValidation): string[] {
  const found: string[] = [];
  const drop = mode !== 'Strict';
  const apiVersion = typeof obj['apiVersion'] === 'string' ? obj['apiVersion'] : def.group === '' ? (def.versions[0] ?? 'v1') : `${def.group}/${def.versions[0] ?? 'v1'}`;
  const meta = catalog.lookup(OBJECT_META);
  if (def.builtin) {
    const t = catalog.typeOf(apiVersion, def.kind);
    if (t === undefined) return [];
    const { apiVersion: a, kind: k, ...rest } = obj;
    walkType(t, rest, '', found, drop);
    Object.assign(obj, rest, { apiVersion: a, kind: k });
    for (const key of Object.keys(obj)) if (!(key in rest) && key !== 'apiVersion' && key !== 'kind') delete obj[key];
  } else {
    const crd = store.get('customresourcedefinitions.apiextensions.k8s.io', undefined, `${def.plural}.${def.group}`);
    const versions = isObject(crd?.['spec']) && Array.isArray(crd['spec']['versions']) ? crd['spec']['versions'].filter(isObject) : [];
    const version = apiVersion.split('/')[1] ?? '';
    const v = versions.find((x) => x['name'] === version);
    const schema = isObject(v?.['schema']) && isObject(v['schema']['openAPIV3Schema']) ? v['schema']['openAPIV3Schema'] : undefined;
    if (schema === undefined) return [];
    const { apiVersion: _a, kind: _k, metadata, ...rest } = obj;
    if (meta !== undefined) walkType(meta, metadata, 'metadata.', found, drop);
    walkSchema(schema, rest, '', found, drop);
    for (const key of Object.keys(obj)) if (!['apiVersion', 'kind', 'metadata'].includes(key) && !(key in rest)) delete obj[key];
  }
  if (found.length === 0) return [];
  if (mode === 'Strict') {
    const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
    throw badRequest(`${def.kind} in version "${version ?? ''}" cannot be handled as a ${def.kind}: strict decoding error: ${found.map((f) => `unknown field "${f}"`).join(', ')}`);
  }
  return mode === 'Warn' ? found.map((f) => `unknown field "${f}"`) : [];
}
