import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { Type } from 'protobufjs';
import { decode, encode } from './pb-codec.js';
import { NotRepresentable } from './pb-errors.js';
import { isObject } from './types.js';

/** `application/vnd.kubernetes.protobuf` bodies start with these four bytes, then a runtime.Unknown. */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));

/** API group -> proto package of its v1 types (the only versions served in protobuf here). */
const PACKAGES: Record<string, string> = {
  '': 'k8s.io.api.core.v1',
  apps: 'k8s.io.api.apps.v1',
  'coordination.k8s.io': 'k8s.io.api.coordination.v1',
  'authentication.k8s.io': 'k8s.io.api.authentication.v1',
  'authorization.k8s.io': 'k8s.io.api.authorization.v1',
  'rbac.authorization.k8s.io': 'k8s.io.api.rbac.v1',
  'events.k8s.io': 'k8s.io.api.events.v1',
  'meta.k8s.io': 'k8s.io.apimachinery.pkg.apis.meta.v1',
};
/** Kinds every group version accepts, defined once in meta/v1 (kube-apiserver registers them per group). */
const META_KINDS = new Set(['DeleteOptions', 'Status']);

function splitApiVersion(apiVersion: string): [string, string] {
  const i = apiVersion.indexOf('/');
  return i < 0 ? ['', apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}

/** The Kubernetes wire types of the kinds this double speaks in protobuf, loaded once from ./proto. */
export class ProtoCatalog {
  private readonly root: protobuf.Root;
  private readonly unknown: Type;

  constructor() {
    const files = readdirSync(PROTO_DIR).filter((f) => f.endsWith('.proto')).map((f) => `${PROTO_DIR}${f}`);
    this.root = new protobuf.Root().loadSync(files, { keepCase: true });
    this.root.resolveAll();
    this.unknown = this.root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  }

  /** A message by full proto name (`k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta`). */
  lookup(fullName: string): Type | undefined {
    const found = this.root.lookup(fullName);
    return found instanceof protobuf.Type ? found : undefined;
  }

  /** The message for `kind` in `apiVersion`, or undefined when this double has no protobuf form for it. */
  typeOf(apiVersion: string, kind: string): Type | undefined {
    const [group, version] = splitApiVersion(apiVersion);
    const pkg = META_KINDS.has(kind) ? PACKAGES['meta.k8s.io'] : version === 'v1' ? PACKAGES[group] : undefined;
    if (pkg === undefined) return undefined;
    const found = this.root.lookup(`${pkg}.${kind}`);
    return found instanceof protobuf.Type ? found : undefined;
  }

  /**
   * A protobuf request body as the JSON object kube-apiserver would have decoded: the envelope's
   * apiVersion/kind plus the message's fields. Throws NotRepresentable for anything it cannot
   * decode completely (unknown field numbers included), so nothing is dropped silently.
   */
  decodeBody(body: Buffer): Record<string, unknown> {
    if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new NotRepresentable('the body does not start with the protobuf magic "k8s\\0"');
    const envelope = decode(this.unknown, body.subarray(4));
    if (!isObject(envelope)) throw new NotRepresentable('the runtime.Unknown envelope is empty');
    const { apiVersion, kind, raw, contentEncoding, contentType } = envelope as Record<string, string | undefined>;
    if ((contentEncoding ?? '') !== '' || ((contentType ?? '') !== '' && contentType !== PROTOBUF)) {
      throw new NotRepresentable(`an envelope with contentEncoding "${contentEncoding ?? ''}", contentType "${contentType ?? ''}" is not supported`);
    }
    const type = this.typeOf(apiVersion ?? '', kind ?? '');
    if (type === undefined) throw new NotRepresentable(`no protobuf schema for ${apiVersion ?? ''} ${kind ?? ''}`);
    const obj = decode(type, Buffer.from(raw ?? '', 'base64'));
    return { apiVersion, kind, ...(isObject(obj) ? obj : {}) };
  }

  /**
   * The object as kube-apiserver would store and serve it after decoding into its Go type:
   * structs always present (`status: {}`), omitempty zero values gone, times in canonical form.
   * Objects with fields outside the schema are returned unchanged.
   */
  normalize(apiVersion: string, kind: string, obj: Record<string, unknown>): Record<string, unknown> {
    const type = this.typeOf(apiVersion, kind);
    if (type === undefined) return obj;
    const { apiVersion: _a, kind: _k, ...fields } = obj;
    try {
      const back = decode(type, encode(type, fields));
      return { apiVersion: obj['apiVersion'], kind: obj['kind'], ...(isObject(back) ? back : {}) };
    } catch (err) {
      if (err instanceof NotRepresentable) return obj;
      throw err;
    }
  }

  /** The envelope around an already encoded message. */
  wrap(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
    const envelope = encode(this.unknown, { apiVersion, kind, raw: Buffer.from(raw).toString('base64'), contentEncoding: '', contentType: '' });
    return Buffer.concat([MAGIC, envelope]);
  }

  /** The encoded message inside an envelope. */
  rawOf(body: Buffer): Buffer {
    const envelope = decode(this.unknown, body.subarray(MAGIC.length)) as Record<string, string | undefined>;
    return Buffer.from(envelope['raw'] ?? '', 'base64');
  }

  /** Encodes a JSON object of `kind` with the envelope; throws NotRepresentable if any field would be lost. */
  encodeObject(apiVersion: string, kind: string, obj: Record<string, unknown>): Buffer {
    const type = this.typeOf(apiVersion, kind);
    if (type === undefined) throw new NotRepresentable(`no protobuf schema for ${apiVersion} ${kind}`);
    const { apiVersion: _a, kind: _k, ...fields } = obj;
    return this.wrap(apiVersion, kind, encode(type, fields));
  }
}

export { NotRepresentable };
