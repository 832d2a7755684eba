import type { KubeObject } from './types.js';

/**
 * JSON encodings of stored objects, computed once per object version: stored objects are
 * never mutated (every write stores a new object), so a WeakMap keyed by identity is safe.
 * List items are kept as UTF-8 bytes: a page is then one copy of cached bytes, not a join of
 * strings that is measured and encoded again on every list (which was 80% of a relist's cost).
 */
export class Encoder {
  private readonly full = new WeakMap<KubeObject, string>();
  private readonly fullBytes = new WeakMap<KubeObject, Buffer>();
  private readonly bare = new WeakMap<KubeObject, Buffer>();

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

  /** `object` as UTF-8 bytes, for list pages of custom resources. */
  objectBytes(obj: KubeObject, apiVersion?: string): Buffer {
    if (apiVersion !== undefined && apiVersion !== obj['apiVersion']) return Buffer.from(this.object(obj, apiVersion));
    let b = this.fullBytes.get(obj);
    if (b === undefined) {
      b = Buffer.from(this.object(obj));
      this.fullBytes.set(obj, b);
    }
    return b;
  }

  /** Built-in list items carry no kind/apiVersion on the wire. */
  listItem(obj: KubeObject): Buffer {
    let b = this.bare.get(obj);
    if (b === undefined) {
      const { kind: _k, apiVersion: _a, ...rest } = obj;
      b = Buffer.from(JSON.stringify(rest));
      this.bare.set(obj, b);
    }
    return b;
  }
}
