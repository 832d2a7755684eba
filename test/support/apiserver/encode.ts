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

  /**
   * Built-in list items carry no kind/apiVersion on the wire. Every write of a watched object is
   * encoded whole for its watch event; after a burst of writes a list stringified every item once
   * more: `listItem` was 1.03 s of this server's CPU while a controller restarted over 11k pods
   * after the bench's 10k burst, 0.09 s with this (profiled, bench/RESULTS.md section L). When that
   * encoding starts with the two members, the item is it without them: the same text.
   */
  listItem(obj: KubeObject): Buffer {
    let b = this.bare.get(obj);
    if (b === undefined) {
      b = Buffer.from(withoutTypeMeta(obj, this.full.get(obj)) ?? bareJson(obj));
      this.bare.set(obj, b);
    }
    return b;
  }
}

function bareJson(obj: KubeObject): string {
  const { kind: _k, apiVersion: _a, ...rest } = obj;
  return JSON.stringify(rest);
}

/**
 * `full` (JSON.stringify of `obj`) without its leading apiVersion and kind members, in either
 * order; `undefined` when it does not start with both (another key first, one of them missing)
 * or nothing follows them. Removing the first two members of an object's text leaves what
 * stringifying the rest gives: the other members keep their order.
 */
export function withoutTypeMeta(obj: KubeObject, full: string | undefined): string | undefined {
  if (full === undefined || typeof obj['apiVersion'] !== 'string' || typeof obj['kind'] !== 'string') return undefined;
  const a = `"apiVersion":${JSON.stringify(obj['apiVersion'])}`;
  const k = `"kind":${JSON.stringify(obj['kind'])}`;
  for (const prefix of [`{${a},${k},`, `{${k},${a},`]) {
    if (full.startsWith(prefix)) return `{${full.slice(prefix.length)}`;
  }
  return undefined;
}
