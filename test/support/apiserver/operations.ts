import { randomUUID } from 'node:crypto';
import { defaultOnCreate, microTimeProblem, validate } from './defaults.js';
import { jsonEqual, specPart } from './equal.js';
import { ApiError, alreadyExists, badRequest, conflict, internalError, invalid, notFound } from './errors.js';
import { defFromCrd } from './registry.js';
import type { Registry } from './registry.js';
import type { Store } from './store.js';
import { isObject, resourceKey } from './types.js';
import type { KubeObject, ResourceDef } from './types.js';

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Seams for time and randomness; production defaults are the wall clock and crypto. */
export interface OperationsOptions {
  readonly now?: () => Date;
  readonly uid?: () => string;
  readonly random?: () => number;
}

/** Second-precision RFC 3339, as metav1.Time serialises. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

function apiVersionOf(def: ResourceDef): string {
  const v = def.versions[0] ?? 'v1';
  return def.group === '' ? v : `${def.group}/${v}`;
}

function finalizers(obj: KubeObject): string[] {
  return Array.isArray(obj.metadata.finalizers) ? obj.metadata.finalizers : [];
}

/** Create/update/delete semantics of kube-apiserver's generic registry over a Store. */
export class Operations {
  private readonly now: () => Date;
  private readonly uid: () => string;
  private readonly random: () => number;

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
    options: OperationsOptions = {},
    /** Brings a built-in object to the shape its Go type serialises to (see ProtoCatalog.normalize). */
    private readonly normalize: (def: ResourceDef, obj: KubeObject) => KubeObject = (_def, obj) => obj,
  ) {
    this.now = options.now ?? (() => new Date());
    this.uid = options.uid ?? randomUUID;
    this.random = options.random ?? Math.random;
  }

  tryGet(def: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(resourceKey(def.group, def.plural), namespace, name);
  }

  get(def: ResourceDef, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(resourceKey(def.group, def.plural), namespace, name);
    if (obj === undefined) throw notFound(def, name);
    return obj;
  }

  /**
   * `owned`: the body is the request's own (decoded from it, or patched from a stored object
   * sharing its unchanged parts); only its top level and metadata are written from here on, so
   * those are copied, not the whole. Other callers' bodies are cloned whole.
   */
  private checkBody(def: ResourceDef, body: unknown, namespace: string | undefined, owned: boolean): KubeObject {
    if (!isObject(body)) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`);
    const obj = (owned ? { ...body, ...(isObject(body['metadata']) ? { metadata: { ...body['metadata'] } } : {}) } : structuredClone(body)) as KubeObject;
    if (!isObject(obj.metadata)) obj.metadata = {};
    if (obj['kind'] !== undefined && obj['kind'] !== def.kind) throw badRequest(`the kind of the object (${String(obj['kind'])}) does not match the kind of the resource (${def.kind})`);
    const problem = microTimeProblem(def, obj);
    if (problem !== undefined) throw badRequest(problem);
    if (def.namespaced) {
      const ns = obj.metadata.namespace;
      if (ns !== undefined && ns !== '' && ns !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      obj.metadata.namespace = namespace;
    } else delete obj.metadata.namespace;
    obj['apiVersion'] = apiVersionOf(def);
    obj['kind'] = def.kind;
    return obj;
  }

  private generateName(def: ResourceDef, obj: KubeObject): void {
    const prefix = obj.metadata.generateName;
    if (obj.metadata.name !== undefined && obj.metadata.name !== '') return;
    if (typeof prefix !== 'string' || prefix === '') {
      throw invalid(def, '', [{ field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' }]);
    }
    for (let attempt = 0; attempt < 8; attempt++) {
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += GENERATE_ALPHABET[Math.floor(this.random() * GENERATE_ALPHABET.length)];
      const name = `${prefix}${suffix}`;
      if (this.store.get(resourceKey(def.group, def.plural), obj.metadata.namespace, name) === undefined) {
        obj.metadata.name = name;
        return;
      }
    }
    throw alreadyExists(def, `${prefix}`);
  }

  private requireNamespace(def: ResourceDef, namespace: string | undefined): void {
    if (!def.namespaced || namespace === undefined) return;
    const ns = this.store.get('namespaces', undefined, namespace);
    if (ns === undefined) throw new ApiError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
    if (ns.metadata.deletionTimestamp !== undefined) {
      throw new ApiError(403, 'Forbidden', `unable to create new content in namespace ${namespace} because it is being terminated`, { name: namespace, kind: 'namespaces' });
    }
  }

  /** POST: defaults, validates and stores a new object; 409 AlreadyExists if the name is taken. */
  create(def: ResourceDef, namespace: string | undefined, body: unknown, owned = false): KubeObject {
    const obj = this.checkBody(def, body, namespace, owned);
    if (obj.metadata.resourceVersion !== undefined && obj.metadata.resourceVersion !== '') throw internalError('resourceVersion should not be set on objects to be created');
    this.generateName(def, obj);
    this.requireNamespace(def, namespace);
    const resource = resourceKey(def.group, def.plural);
    if (this.store.get(resource, obj.metadata.namespace, obj.metadata.name ?? '') !== undefined) throw alreadyExists(def, obj.metadata.name ?? '');
    defaultOnCreate(def, obj);
    validate(def, obj, true);
    const meta = obj.metadata;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    meta.uid = this.uid();
    meta.resourceVersion = String(this.store.nextRv());
    if (def.hasGeneration) meta.generation = 1;
    else delete meta.generation;
    meta.creationTimestamp = formatTime(this.now());
    const stored = this.normalize(def, obj);
    this.store.write('ADDED', resource, stored, undefined);
    this.afterWrite(def, stored);
    this.afterCreate(def, stored);
    return stored;
  }

  /** The ServiceAccount controller's job: every new namespace gets a `default` ServiceAccount. */
  private afterCreate(def: ResourceDef, obj: KubeObject): void {
    if (this.store.discarding || !def.builtin || def.group !== '' || def.plural !== 'namespaces') return;
    const sa = this.registry.byKey('serviceaccounts');
    const namespace = obj.metadata.name ?? '';
    if (sa !== undefined && this.tryGet(sa, namespace, 'default') === undefined) this.create(sa, namespace, { metadata: { name: 'default' } });
  }

  private merged(def: ResourceDef, existing: KubeObject, incoming: KubeObject, subresource: string | undefined): KubeObject {
    let next: KubeObject;
    if (subresource === 'status') {
      // Stored objects are never mutated, so the next version shares their unchanged parts.
      next = { ...existing };
      if (incoming['status'] === undefined) delete next['status'];
      else next['status'] = incoming['status'];
    } else {
      next = incoming;
      if (def.statusSubresource) {
        if (existing['status'] === undefined) delete next['status'];
        else next['status'] = existing['status'];
      }
    }
    const m = existing.metadata;
    next.metadata = { ...next.metadata, name: m.name, uid: m.uid, creationTimestamp: m.creationTimestamp, resourceVersion: m.resourceVersion };
    if (m.namespace !== undefined) next.metadata.namespace = m.namespace;
    const target: Record<string, unknown> = next.metadata;
    for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const) {
      if (m[k] === undefined) delete target[k];
      else target[k] = m[k];
    }
    if (def.plural === 'namespaces' && def.builtin) next['spec'] = structuredClone(existing['spec']);
    return next;
  }

  /**
   * PUT (or the write half of PATCH when `precondition` is false): a stale
   * metadata.resourceVersion is 409; a no-op keeps the RV and emits nothing.
   */
  update(def: ResourceDef, namespace: string | undefined, name: string, body: unknown, subresource?: string, fromPatch = false, owned = false): KubeObject {
    const existing = this.get(def, namespace, name);
    const incoming = this.checkBody(def, body, namespace, owned);
    if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
      throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
    }
    const rv = incoming.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== existing.metadata.resourceVersion) throw conflict(def, name);
    if ((rv === undefined || rv === '') && !def.builtin && !fromPatch) {
      throw invalid(def, name, [{ field: 'metadata.resourceVersion', reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update' }]);
    }
    const next = this.normalize(def, this.merged(def, existing, incoming, subresource));
    validate(def, next, false);
    const added = finalizers(next).filter((f) => !finalizers(existing).includes(f));
    if (existing.metadata.deletionTimestamp !== undefined && added.length > 0) {
      throw invalid(def, name, [{ field: 'metadata.finalizers', reason: 'FieldValueForbidden', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => `"${f}"`).join(', ')}}` }]);
    }
    if (def.hasGeneration && !jsonEqual(specPart(existing), specPart(next))) next.metadata.generation = (existing.metadata.generation ?? 0) + 1;
    if (jsonEqual(existing, next)) return existing;
    next.metadata.resourceVersion = String(this.store.nextRv());
    if (existing.metadata.deletionTimestamp !== undefined && finalizers(next).length === 0) return this.finalize(def, next, existing);
    this.store.write('MODIFIED', resourceKey(def.group, def.plural), next, existing);
    this.afterWrite(def, next);
    return next;
  }

  /** Removes the object for good (DELETED with its last state) and runs cleanup hooks. */
  private finalize(def: ResourceDef, last: KubeObject, prev: KubeObject): KubeObject {
    last.metadata.resourceVersion = String(this.store.nextRv());
    this.store.write('DELETED', resourceKey(def.group, def.plural), last, prev);
    this.afterDelete(def, last);
    return last;
  }

  private checkPreconditions(def: ResourceDef, obj: KubeObject, options: unknown): void {
    const pre = isObject(options) && isObject(options['preconditions']) ? options['preconditions'] : {};
    const name = obj.metadata.name ?? '';
    if (typeof pre['uid'] === 'string' && pre['uid'] !== obj.metadata.uid) {
      throw conflict(def, name, `Precondition failed: UID in precondition: ${pre['uid']}, UID in object meta: ${obj.metadata.uid ?? ''}`);
    }
    if (typeof pre['resourceVersion'] === 'string' && pre['resourceVersion'] !== obj.metadata.resourceVersion) {
      throw conflict(def, name, `Precondition failed: ResourceVersion in precondition: ${pre['resourceVersion']}, ResourceVersion in meta: ${obj.metadata.resourceVersion ?? ''}`);
    }
  }

  /**
   * DELETE: with finalizers (or a namespace) sets deletionTimestamp and returns the object
   * (`deleted: false`); otherwise removes it at once. Scheduled pods are removed at once too:
   * no kubelet runs here to finish a graceful deletion.
   */
  delete(def: ResourceDef, namespace: string | undefined, name: string, options?: unknown): { object: KubeObject; deleted: boolean } {
    const existing = this.get(def, namespace, name);
    this.checkPreconditions(def, existing, options);
    const isNamespace = def.builtin && def.plural === 'namespaces';
    if (existing.metadata.deletionTimestamp !== undefined) return { object: existing, deleted: false };
    if (finalizers(existing).length === 0 && !isNamespace) return { object: this.finalize(def, structuredClone(existing), existing), deleted: true };
    const next = structuredClone(existing);
    next.metadata.deletionTimestamp = formatTime(this.now());
    next.metadata.deletionGracePeriodSeconds = 0;
    if (isNamespace) next['status'] = { phase: 'Terminating' };
    next.metadata.resourceVersion = String(this.store.nextRv());
    this.store.write('MODIFIED', resourceKey(def.group, def.plural), next, existing);
    if (isNamespace) this.drainNamespace(name);
    const after = this.store.get(resourceKey(def.group, def.plural), namespace, name);
    return after === undefined ? { object: next, deleted: true } : { object: after, deleted: false };
  }

  /** The namespace controller's job: delete everything inside, then drop the namespace once empty. */
  private drainNamespace(namespace: string): void {
    for (const resource of this.store.resources()) {
      const def = this.registry.byKey(resource);
      if (def === undefined || !def.namespaced) continue;
      for (const [, obj] of [...this.store.list(resource, namespace)]) {
        if (obj.metadata.deletionTimestamp === undefined) this.delete(def, namespace, obj.metadata.name ?? '');
      }
    }
    this.maybeFinalizeNamespace(namespace);
  }

  private maybeFinalizeNamespace(namespace: string): void {
    const ns = this.store.get('namespaces', undefined, namespace);
    if (ns === undefined || ns.metadata.deletionTimestamp === undefined) return;
    for (const resource of this.store.resources()) {
      if (this.registry.byKey(resource)?.namespaced === true && !this.store.list(resource, namespace).next().done) return;
    }
    const def = this.registry.byKey('namespaces');
    if (def !== undefined) this.finalize(def, { ...structuredClone(ns), spec: { finalizers: [] } }, ns);
  }

  private afterWrite(def: ResourceDef, obj: KubeObject): void {
    if (this.store.discarding) return;
    if (def.builtin && def.plural === 'customresourcedefinitions' && obj.metadata.deletionTimestamp === undefined) this.registry.add(defFromCrd(obj));
  }

  private afterDelete(def: ResourceDef, obj: KubeObject): void {
    if (this.store.discarding) return;
    if (def.namespaced && obj.metadata.namespace !== undefined) this.maybeFinalizeNamespace(obj.metadata.namespace);
    if (!(def.builtin && def.plural === 'customresourcedefinitions')) return;
    const served = defFromCrd(obj);
    const resource = resourceKey(served.group, served.plural);
    for (const [, item] of [...this.store.list(resource)]) this.finalize(served, structuredClone(item), item);
    this.registry.remove(served.group, served.plural);
  }
}
