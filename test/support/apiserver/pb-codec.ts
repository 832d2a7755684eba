import protobuf from 'protobufjs';
import type { Field, MapField, Type } from 'protobufjs';
import { formatDuration, parseDuration } from './pb-duration.js';
import { NotRepresentable } from './pb-errors.js';
import { isObject } from './types.js';

const { Reader, Writer } = protobuf;
type ReaderT = InstanceType<typeof Reader>;
type WriterT = InstanceType<typeof Writer>;

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const TIME = `${META}.Time`;
const MICRO_TIME = `${META}.MicroTime`;
const DURATION = `${META}.Duration`;
const FIELDS_V1 = `${META}.FieldsV1`;
const RAW_EXTENSION = 'k8s.io.apimachinery.pkg.runtime.RawExtension';
const INT_OR_STRING = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'k8s.io.apimachinery.pkg.api.resource.Quantity';
/** Go `type X []string` casts: a message of one `repeated string items = 1` on the wire, a JSON array. */
const STRING_LISTS = new Set(['k8s.io.api.authentication.v1.ExtraValue', 'k8s.io.api.authentication.v1.AttestationValue', 'k8s.io.api.authorization.v1.ExtraValue']);


// protobufjs computes `fullName` by walking the namespace chain on every read: cached, since a
// realistic pod's normalize asked for it thousands of times (a third of its cost, profiled).
const NAMES = new WeakMap<Type, string>();

export function fullName(t: Type): string {
  let name = NAMES.get(t);
  if (name === undefined) {
    name = t.fullName.replace(/^\./, '');
    NAMES.set(t, name);
  }
  return name;
}

function option(f: Field, name: string): boolean {
  return f.options?.[`(${name})`] === true;
}

function jsonKey(f: Field): string {
  return typeof f.options?.['json_name'] === 'string' ? f.options['json_name'] : f.name;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber();
}

function readScalar(r: ReaderT, type: string): unknown {
  switch (type) {
    case 'string': return r.string();
    case 'bytes': return Buffer.from(r.bytes()).toString('base64');
    case 'bool': return r.bool();
    case 'int32': return r.int32();
    case 'uint32': return r.uint32();
    case 'int64': return num(r.int64());
    case 'uint64': return num(r.uint64());
    case 'double': return r.double();
    case 'float': return r.float();
    default: throw new NotRepresentable(`scalar type ${type} is not handled`);
  }
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function formatTime(seconds: number, nanos: number, micro: boolean): string {
  const iso = new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, '');
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${iso}Z`;
}

/** Wire -> JSON for the types whose JSON form is not an object of their fields. */
function specialToJson(name: string, m: Record<string, unknown>): unknown {
  switch (name) {
    case TIME:
    case MICRO_TIME: {
      const s = Number(m['seconds'] ?? 0);
      const n = Number(m['nanos'] ?? 0);
      // Go's zero time.Time is the JSON `null` metav1.Time marshals; an absent field here.
      return s === 0 && n === 0 ? undefined : formatTime(s, n, name === MICRO_TIME);
    }
    case DURATION: return formatDuration(Number(m['duration'] ?? 0));
    case FIELDS_V1:
    case RAW_EXTENSION: {
      const raw = m[name === FIELDS_V1 ? 'Raw' : 'raw'];
      if (typeof raw !== 'string' || raw === '') return name === RAW_EXTENSION ? undefined : {};
      const text = Buffer.from(raw, 'base64').toString('utf8');
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new NotRepresentable(`${name} holds bytes that are not JSON`);
      }
    }
    case INT_OR_STRING: return Number(m['type'] ?? 0) === 1 ? (m['strVal'] ?? '') : (m['intVal'] ?? 0);
    case QUANTITY: return m['string'] ?? '';
    default: return STRING_LISTS.has(name) ? (m['items'] ?? []) : undefined;
  }
}

const SPECIAL = new Set([TIME, MICRO_TIME, DURATION, FIELDS_V1, RAW_EXTENSION, INT_OR_STRING, QUANTITY, ...STRING_LISTS]);

export function isSpecial(name: string): boolean {
  return SPECIAL.has(name);
}

function readValue(r: ReaderT, f: Field, wire: number, path: string): unknown {
  const sub = f.resolvedType;
  if (sub !== null && 'fields' in sub) {
    if (wire !== 2) throw new NotRepresentable(`${path}: expected a length-delimited message, got wire type ${wire}`);
    const end = r.uint32() + r.pos;
    return decodeMessage(sub, r, end, path);
  }
  if (sub !== null) throw new NotRepresentable(`${path}: enums are not part of the Kubernetes wire format`);
  return readScalar(r, f.type);
}

function keyTypeOf(f: Field): string {
  return (f as unknown as MapField).keyType;
}

function readMapEntry(r: ReaderT, f: Field, path: string): [string, unknown] {
  const end = r.uint32() + r.pos;
  let key = '';
  let value: unknown;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) key = String(readScalar(r, keyTypeOf(f)));
    else if (tag >>> 3 === 2) value = readValue(r, f, tag & 7, `${path}[${key}]`);
    else throw new NotRepresentable(`${path}: map entry field ${tag >>> 3} is unknown`);
  }
  return [key, value ?? (f.resolvedType === null ? (f.type === 'string' ? '' : 0) : {})];
}

/** Decodes one message to its Kubernetes JSON form; any field number the schema lacks is an error. */
export function decodeMessage(type: Type, r: ReaderT, end: number, path = fullName(type)): unknown {
  const byName: Record<string, unknown> = {};
  while (r.pos < end) {
    const tag = r.uint32();
    const f = type.fieldsById[tag >>> 3];
    const wire = tag & 7;
    if (f === undefined) throw new NotRepresentable(`${path}: field number ${tag >>> 3} (wire type ${wire}) is not in this double's schema`);
    const p = `${path}.${f.name}`;
    if (f.map) {
      const [k, v] = readMapEntry(r, f, p);
      ((byName[f.name] ??= {}) as Record<string, unknown>)[k] = v;
    } else if (f.repeated && wire === 2 && f.resolvedType === null && f.type !== 'string' && f.type !== 'bytes') {
      const stop = r.uint32() + r.pos;
      const list = (byName[f.name] ??= []) as unknown[];
      while (r.pos < stop) list.push(readScalar(r, f.type));
    } else if (f.repeated) {
      ((byName[f.name] ??= []) as unknown[]).push(readValue(r, f, wire, p));
    } else byName[f.name] = readValue(r, f, wire, p);
  }
  const name = fullName(type);
  if (isSpecial(name)) return specialToJson(name, byName);
  return toJsonObject(type, byName);
}

const ZERO: Record<string, unknown> = { string: '', bool: false, bytes: '' };

/**
 * What Go's encoding/json writes for a non-pointer field the wire did not carry: a struct is
 * always written (`status: {}`), a scalar without omitempty as its zero value.
 */
function goZero(f: Field): unknown {
  if (f.repeated || f.map || option(f, 'pointer')) return undefined;
  const sub = f.resolvedType;
  if (sub !== null && 'fields' in sub) return isSpecial(fullName(sub)) ? undefined : toJsonObject(sub, {});
  if (option(f, 'omitempty')) return undefined;
  return ZERO[f.type] ?? 0;
}

function toJsonObject(type: Type, byName: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of type.fieldsArray) {
    const v = byName[f.name] ?? goZero(f);
    if (v === undefined) continue;
    if (option(f, 'inline') && isObject(v)) {
      Object.assign(out, v);
      continue;
    }
    if (!f.repeated && !f.map && option(f, 'omitempty') && !option(f, 'pointer') && isZero(v)) continue;
    out[jsonKey(f)] = v;
  }
  return out;
}

/** Decodes a whole message buffer. */
export function decode(type: Type, bytes: Uint8Array): unknown {
  const r = Reader.create(bytes);
  return decodeMessage(type, r, r.len);
}

function bad(type: string, v: unknown, path: string): never {
  throw new NotRepresentable(`${path}: ${JSON.stringify(v)} is not a ${type}`);
}

function writeScalar(w: WriterT, type: string, v: unknown, path: string): void {
  switch (type) {
    case 'string': if (typeof v !== 'string') bad(type, v, path); w.string(v as string); return;
    case 'bytes': if (typeof v !== 'string') bad(type, v, path); w.bytes(Buffer.from(v as string, 'base64')); return;
    case 'bool': if (typeof v !== 'boolean') bad(type, v, path); w.bool(v as boolean); return;
    case 'int32': if (!Number.isInteger(v)) bad(type, v, path); w.int32(v as number); return;
    case 'uint32': if (!Number.isInteger(v)) bad(type, v, path); w.uint32(v as number); return;
    case 'int64': if (!Number.isInteger(v)) bad(type, v, path); w.int64(v as number); return;
    case 'uint64': if (!Number.isInteger(v)) bad(type, v, path); w.uint64(v as number); return;
    case 'double': if (typeof v !== 'number') bad(type, v, path); w.double(v as number); return;
    default: throw new NotRepresentable(`${path}: scalar type ${type} is not handled`);
  }
}

function parseTime(v: unknown, path: string): Record<string, unknown> {
  const m = typeof v === 'string' ? /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(v) : null;
  if (m === null) throw new NotRepresentable(`${path}: ${JSON.stringify(v)} is not an RFC 3339 time`);
  const seconds = Math.floor(Date.parse(`${m[1] ?? ''}${m[3] ?? 'Z'}`) / 1000);
  const nanos = Number((m[2] ?? '').padEnd(9, '0'));
  return nanos === 0 ? { seconds } : { seconds, nanos };
}

/** JSON -> the field values of a special type, by proto field name. */
function specialFromJson(name: string, v: unknown, path: string): Record<string, unknown> {
  switch (name) {
    case TIME:
    case MICRO_TIME: return parseTime(v, path);
    case DURATION: return { duration: parseDuration(v, path) };
    case FIELDS_V1: return { Raw: Buffer.from(JSON.stringify(v)).toString('base64') };
    case RAW_EXTENSION: return { raw: Buffer.from(JSON.stringify(v)).toString('base64') };
    case INT_OR_STRING: return typeof v === 'string' ? { type: 1, strVal: v } : { type: 0, intVal: v };
    case QUANTITY: return { string: typeof v === 'number' ? String(v) : v };
    default: return { items: v };
  }
}

/** Writes one tagged value: field `id` of scalar `type`, or of message `sub`. */
function writeValue(w: WriterT, id: number, type: string, sub: Field['resolvedType'], v: unknown, path: string): void {
  if (sub !== null && 'fields' in sub) {
    w.uint32((id << 3) | 2).fork();
    encodeMessage(sub, v, w, path);
    w.ldelim();
    return;
  }
  w.uint32((id << 3) | (['string', 'bytes'].includes(type) ? 2 : type === 'double' ? 1 : 0));
  writeScalar(w, type, v, path);
}

function writeField(w: WriterT, f: Field, v: unknown, path: string): void {
  if (f.map) {
    if (!isObject(v)) throw new NotRepresentable(`${path}: expected an object`);
    for (const [k, item] of Object.entries(v)) {
      w.uint32((f.id << 3) | 2).fork();
      writeValue(w, 1, keyTypeOf(f), null, k, `${path}[${k}]`);
      writeValue(w, 2, f.type, f.resolvedType, item, `${path}[${k}]`);
      w.ldelim();
    }
    return;
  }
  if (f.repeated) {
    if (!Array.isArray(v)) throw new NotRepresentable(`${path}: expected an array`);
    v.forEach((item, i) => writeValue(w, f.id, f.type, f.resolvedType, item, `${path}[${i}]`));
    return;
  }
  writeValue(w, f.id, f.type, f.resolvedType, v, path);
}

/** Fields addressable by JSON key, inlined (embedded Go struct) fields expanded. */
const FIELDS_BY_JSON = new WeakMap<Type, Map<string, { field: Field; via: Field | undefined }>>();

export function jsonFields(type: Type): Map<string, { field: Field; via: Field | undefined }> {
  const cached = FIELDS_BY_JSON.get(type);
  if (cached !== undefined) return cached;
  const out = new Map<string, { field: Field; via: Field | undefined }>();
  FIELDS_BY_JSON.set(type, out);
  for (const f of type.fieldsArray) {
    const sub = f.resolvedType;
    if (option(f, 'inline') && sub !== null && 'fields' in sub) {
      for (const g of sub.fieldsArray) out.set(jsonKey(g), { field: g, via: f });
    } else out.set(jsonKey(f), { field: f, via: undefined });
  }
  return out;
}

/** Encodes a Kubernetes JSON value as `type`; a key the schema lacks is NotRepresentable. */
export function encodeMessage(type: Type, value: unknown, w: WriterT, path = fullName(type)): void {
  const name = fullName(type);
  const obj = isSpecial(name) ? specialFromJson(name, value, path) : value;
  if (!isObject(obj)) throw new NotRepresentable(`${path}: expected an object, got ${JSON.stringify(value)}`);
  const fields = isSpecial(name) ? new Map(type.fieldsArray.map((f) => [f.name, { field: f, via: undefined as Field | undefined }])) : jsonFields(type);
  const inlined = new Map<Field, Record<string, unknown>>();
  for (const [key, v] of Object.entries(obj)) {
    if (v === null || v === undefined) continue;
    const entry = fields.get(key);
    if (entry === undefined) throw new NotRepresentable(`${path}.${key} is not in this double's schema`);
    if (entry.via !== undefined) {
      let group = inlined.get(entry.via);
      if (group === undefined) inlined.set(entry.via, (group = {}));
      group[key] = v;
      continue;
    }
    writeField(w, entry.field, v, `${path}.${key}`);
  }
  for (const [via, group] of inlined) writeValue(w, via.id, via.type, via.resolvedType, group, `${path}.${via.name}`);
}

export function encode(type: Type, value: unknown): Uint8Array {
  const w = Writer.create();
  encodeMessage(type, value, w);
  return w.finish();
}
