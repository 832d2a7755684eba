import type { KubeObject } from './types.js';

/**
 * JSON encodings of stored objects, computed once per object version: stored objects are
 * never mutated (every write stores a new object), so a WeakMap keyed by identity is safe.
 */
export class Encoder {
  private readonly full = new WeakMap<KubeObject, string>();
  private readonly bare = new WeakMap<KubeObject, string>();

  /** The object as served, with `apiVersion` rewritten when a CR is read through another served version. */
  object(obj: KubeObject, apiVersion?: string): string {
    if (apiVersion !== undefined && apiVersion !== obj['apiVersion']) return JSON.stringify({ ...obj, apiVersion });
    let s = this.full.get(obj);
    if (s === undefined) {
      s = JSON.stringify(obj);
      this.full.set(obj, s);
    }
    return s;
  }

  /** Built-in list items carry no kind/apiVersion on the wire. */
  listItem(obj: KubeObject): string {
    let s = this.bare.get(obj);
    if (s === undefined) {
      const { kind: _k, apiVersion: _a, ...rest } = obj;
      s = JSON.stringify(rest);
      this.bare.set(obj, s);
    }
    return s;
  }
}
