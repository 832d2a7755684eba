// /openapi/v2 and /openapi/v3 as kube-apiserver serves them: definitions for every served kind and
// paths whose operations carry x-kubernetes-group-version-kind and the fieldValidation parameter
// (kubectl checks the PATCH operation for it, then leaves validation to the server).
import { createHash } from 'node:crypto';
import type { Type } from 'protobufjs';
import { closure, customDefinitionName, customListSchema, customResourceSchema, definitionName, messageSchema, OBJECT_META } from './openapi-schemas.js';
import type { RefOf, Schema } from './openapi-schemas.js';
import type { ProtoCatalog } from './protobuf.js';
import type { Registry } from './registry.js';
import type { Store } from './store.js';
import type { KubeObject, ResourceDef } from './types.js';

type Doc = 'v2' | 'v3';
const REF: Record<Doc, RefOf> = { v2: (n) => `#/definitions/${n}`, v3: (n) => `#/components/schemas/${n}` };
const WRITE_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation'];

interface Kind {
  readonly def: ResourceDef;
  readonly version: string;
  readonly name: string;
  readonly listName: string | undefined;
}

function prefix(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

function param(doc: Doc, name: string, where: 'query' | 'path'): Schema {
  const base = { name, in: where, ...(where === 'path' ? { required: true } : {}), description: name };
  return doc === 'v2' ? { ...base, type: 'string', uniqueItems: true } : { ...base, schema: { type: 'string', uniqueItems: true } };
}

function operation(doc: Doc, k: Kind, action: string, verb: string, response: string | undefined, write: boolean): Schema {
  const gvk = { group: k.def.group, version: k.version, kind: k.def.kind };
  const ref = response === undefined ? undefined : { $ref: REF[doc](response) };
  const op: Schema = {
    operationId: `${action}${k.def.kind}`,
    'x-kubernetes-action': verb,
    'x-kubernetes-group-version-kind': gvk,
    parameters: write ? WRITE_PARAMS.map((p) => param(doc, p, 'query')) : [],
  };
  if (doc === 'v2') {
    op['consumes'] = ['*/*'];
    op['produces'] = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
    op['responses'] = { '200': { description: 'OK', ...(ref === undefined ? {} : { schema: ref }) }, '401': { description: 'Unauthorized' } };
    if (write && ref !== undefined) (op['parameters'] as Schema[]).unshift({ name: 'body', in: 'body', required: true, schema: ref });
  } else {
    op['responses'] = { '200': { description: 'OK', ...(ref === undefined ? {} : { content: { 'application/json': { schema: ref } } }) }, '401': { description: 'Unauthorized' } };
    if (write && ref !== undefined) op['requestBody'] = { content: { '*/*': { schema: ref } }, required: true };
  }
  return op;
}

function pathsOf(doc: Doc, k: Kind): Record<string, Schema> {
  const base = prefix(k.def.group, k.version);
  const ns = k.def.namespaced ? `${base}/namespaces/{namespace}` : base;
  const nsParams = k.def.namespaced ? [param(doc, 'namespace', 'path')] : [];
  const out: Record<string, Schema> = {};
  const createOnly = k.def.verbs.length === 1 && k.def.verbs[0] === 'create';
  out[`${ns}/${k.def.plural}`] = {
    parameters: nsParams,
    post: operation(doc, k, 'create', 'post', k.name, true),
    ...(createOnly ? {} : { get: operation(doc, k, 'list', 'list', k.listName, false), delete: operation(doc, k, 'deletecollection', 'deletecollection', undefined, false) }),
  };
  if (createOnly) return out;
  const item = (suffix: string, what: string): void => {
    out[`${ns}/${k.def.plural}/{name}${suffix}`] = {
      parameters: [...nsParams, param(doc, 'name', 'path')],
      get: operation(doc, k, `read${what}`, 'get', k.name, false),
      put: operation(doc, k, `replace${what}`, 'put', k.name, true),
      patch: operation(doc, k, `patch${what}`, 'patch', k.name, true),
      ...(suffix === '' ? { delete: operation(doc, k, 'delete', 'delete', undefined, false) } : {}),
    };
  };
  item('', '');
  if (k.def.statusSubresource) item('/status', 'Status');
  return out;
}

/** Builds and caches the documents; rebuilt when the set of served resources (CRDs) changes. */
export class OpenApi {
  private cache = new Map<string, string>();
  private cachedAt = -1;

  constructor(
    private readonly registry: Registry,
    private readonly catalog: ProtoCatalog,
    private readonly store: Store,
    private readonly title: string,
  ) {}

  private kinds(group?: string, version?: string): Kind[] {
    const out: Kind[] = [];
    for (const g of this.registry.groups()) {
      if (group !== undefined && g !== group) continue;
      for (const v of this.registry.versionsOf(g)) {
        if (version !== undefined && v !== version) continue;
        for (const def of this.registry.inGroupVersion(g, v)) {
          const apiVersion = g === '' ? v : `${g}/${v}`;
          const t = def.builtin ? this.catalog.typeOf(apiVersion, def.kind) : undefined;
          const lt = def.builtin ? this.catalog.typeOf(apiVersion, def.listKind) : undefined;
          const name = t !== undefined ? definitionName(t) : customDefinitionName(g === '' ? 'core' : g, v, def.kind);
          const listName = lt !== undefined ? definitionName(lt) : def.builtin ? undefined : customDefinitionName(g, v, def.listKind);
          out.push({ def, version: v, name, listName });
        }
      }
    }
    return out;
  }

  private crd(def: ResourceDef): KubeObject | undefined {
    return this.store.get('customresourcedefinitions.apiextensions.k8s.io', undefined, `${def.plural}.${def.group}`);
  }

  private definitions(doc: Doc, kinds: readonly Kind[]): Record<string, Schema> {
    const refOf = REF[doc];
    const v3 = doc === 'v3';
    const types: Type[] = [];
    const meta = this.catalog.typeOf('v1', 'Status');
    if (meta !== undefined) types.push(meta);
    const out: Record<string, Schema> = {};
    for (const k of kinds) {
      const apiVersion = k.def.group === '' ? k.version : `${k.def.group}/${k.version}`;
      const t = k.def.builtin ? this.catalog.typeOf(apiVersion, k.def.kind) : undefined;
      const lt = k.def.builtin ? this.catalog.typeOf(apiVersion, k.def.listKind) : undefined;
      if (t !== undefined) types.push(t);
      if (lt !== undefined) types.push(lt);
      const crd = k.def.builtin ? undefined : this.crd(k.def);
      if (crd !== undefined) {
        out[k.name] = customResourceSchema(crd, k.def, k.version, refOf, v3);
        out[k.listName ?? ''] = customListSchema(k.def, k.version, refOf);
        const om = this.catalog.typeOf('v1', 'Status');
        if (om !== undefined) types.push(om);
      } else if (t === undefined) {
        out[k.name] = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-group-version-kind': [{ group: k.def.group, kind: k.def.kind, version: k.version }] };
      }
    }
    const gvkOf = new Map(kinds.map((k) => [k.name, { group: k.def.group, version: k.version, kind: k.def.kind }]));
    for (const k of kinds) if (k.listName !== undefined && k.def.builtin) gvkOf.set(k.listName, { group: k.def.group, version: k.version, kind: k.def.listKind });
    const objectMeta = this.catalog.lookup(OBJECT_META.replace(/^io\.k8s\./, 'k8s.io.'));
    for (const t of closure(objectMeta === undefined ? types : [...types, objectMeta])) out[definitionName(t)] = messageSchema(t, refOf, v3, gvkOf.get(definitionName(t)));
    return out;
  }

  private fresh(): void {
    if (this.cachedAt === this.registry.generation) return;
    this.cache = new Map();
    this.cachedAt = this.registry.generation;
  }

  /** Swagger 2.0 for everything served. */
  v2(): string {
    this.fresh();
    let doc = this.cache.get('v2');
    if (doc === undefined) {
      const kinds = this.kinds();
      const paths = Object.assign({}, ...kinds.map((k) => pathsOf('v2', k))) as Record<string, Schema>;
      doc = JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version: this.title }, paths, definitions: this.definitions('v2', kinds) });
      this.cache.set('v2', doc);
    }
    return doc;
  }

  /** OpenAPI 3.0 for one group-version (`''` group = core), or undefined when nothing is served there. */
  v3(group: string, version: string): string | undefined {
    this.fresh();
    const key = `v3:${group}/${version}`;
    let doc = this.cache.get(key);
    if (doc === undefined) {
      const kinds = this.kinds(group, version);
      if (kinds.length === 0) return undefined;
      const paths = Object.assign({}, ...kinds.map((k) => pathsOf('v3', k))) as Record<string, Schema>;
      doc = JSON.stringify({ openapi: '3.0.0', info: { title: 'Kubernetes', version: this.title }, paths, components: { schemas: this.definitions('v3', kinds) } });
      this.cache.set(key, doc);
    }
    return doc;
  }

  /** `/openapi/v3`: where each group-version's document is, with a content hash kubectl caches by. */
  v3Index(): string {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const g of this.registry.groups()) {
      for (const v of this.registry.versionsOf(g)) {
        const doc = this.v3(g, v);
        if (doc === undefined) continue;
        const path = g === '' ? `api/${v}` : `apis/${g}/${v}`;
        const hash = createHash('sha512').update(doc).digest('hex').toUpperCase();
        paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
      }
    }
    return JSON.stringify({ paths });
  }
}
