/**
 * OVSDB values (RFC 7047 §5.1) between the wire and plain JS. On the wire a set of one element
 * may be a bare atom, so decoding needs the column's type from the schema: decoded, a set column
 * is always an array, a map column a `Record`, a scalar column its atom.
 */

/** A row reference. A class so encoding can tell it from a map with a `uuid` key. */
export class Uuid {
  constructor(readonly uuid: string) {}
  toJSON(): ['uuid', string] {
    return ['uuid', this.uuid];
  }
}

/** A reference to a row inserted earlier in the same transaction (its `uuid-name`). */
export class NamedUuid {
  constructor(readonly name: string) {}
  toJSON(): ['named-uuid', string] {
    return ['named-uuid', this.name];
  }
}

export type Atom = string | number | boolean | Uuid;
/** A decoded column value. */
export type Value = Atom | readonly Atom[] | Readonly<Record<string, Atom>>;
/** What may be written: also named uuids, inside sets and maps too. */
export type WireInput = Atom | NamedUuid | readonly (Atom | NamedUuid)[] | Readonly<Record<string, Atom | NamedUuid>>;

export type AtomicType = 'integer' | 'real' | 'boolean' | 'string' | 'uuid';

/** A column's type, normalised from the schema's short or long form. */
export interface ColumnType {
  readonly key: AtomicType;
  readonly value?: AtomicType;
  readonly min: number;
  /** `Infinity` for `unlimited`. */
  readonly max: number;
}

export function isMapType(t: ColumnType): boolean {
  return t.value !== undefined;
}

export function isSetType(t: ColumnType): boolean {
  return t.value === undefined && (t.max !== 1 || t.min !== 1);
}

function baseType(raw: unknown): AtomicType {
  if (typeof raw === 'string') return raw as AtomicType;
  if (typeof raw === 'object' && raw !== null && 'type' in raw) return (raw as { type: AtomicType }).type;
  throw new Error(`OVSDB schema: unreadable base type ${JSON.stringify(raw)}`);
}

/** The schema's `type` member of a column (RFC 7047 §3.2 `<type>`). */
export function parseColumnType(raw: unknown): ColumnType {
  if (typeof raw === 'string') return { key: raw as AtomicType, min: 1, max: 1 };
  if (typeof raw !== 'object' || raw === null) throw new Error(`OVSDB schema: unreadable column type ${JSON.stringify(raw)}`);
  const t = raw as { key: unknown; value?: unknown; min?: number; max?: number | 'unlimited' };
  const max = t.max === 'unlimited' ? Infinity : (t.max ?? 1);
  const type: ColumnType = { key: baseType(t.key), min: t.min ?? 1, max };
  return t.value === undefined ? type : { ...type, value: baseType(t.value) };
}

function decodeAtom(raw: unknown): Atom {
  if (Array.isArray(raw)) {
    if (raw[0] === 'uuid' && typeof raw[1] === 'string') return new Uuid(raw[1]);
    throw new Error(`OVSDB value: expected an atom, got ${JSON.stringify(raw).slice(0, 80)}`);
  }
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return raw;
  throw new Error(`OVSDB value: expected an atom, got ${JSON.stringify(raw)}`);
}

function isTagged(raw: unknown, tag: string): raw is [string, unknown[]] {
  return Array.isArray(raw) && raw.length === 2 && raw[0] === tag && Array.isArray(raw[1]);
}

/**
 * Sets `key` of a decoded map. Assigned, `__proto__` (any NB client may write one into
 * external_ids) would change the object's prototype instead: the key would be lost, and our
 * next merge would drop it from the row.
 */
export function setMapKey(map: Record<string, Atom>, key: string, value: Atom): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}

/** Wire value to JS, shaped by the column type. */
export function decodeValue(raw: unknown, type: ColumnType): Value {
  if (isMapType(type)) {
    if (!isTagged(raw, 'map')) throw new Error(`OVSDB value: expected a map, got ${JSON.stringify(raw).slice(0, 80)}`);
    const out: Record<string, Atom> = {};
    for (const pair of raw[1] as [unknown, unknown][]) {
      const key = decodeAtom(pair[0]);
      setMapKey(out, key instanceof Uuid ? key.uuid : String(key), decodeAtom(pair[1]));
    }
    return out;
  }
  if (isSetType(type)) {
    if (isTagged(raw, 'set')) return raw[1].map(decodeAtom);
    return [decodeAtom(raw)];
  }
  return decodeAtom(raw);
}

function encodeAtom(v: Atom | NamedUuid): unknown {
  return v instanceof Uuid || v instanceof NamedUuid ? v.toJSON() : v;
}

/** JS to wire: arrays are sets, plain objects maps, `Uuid`/`NamedUuid` references. */
export function encodeValue(v: WireInput): unknown {
  if (Array.isArray(v)) return ['set', (v as (Atom | NamedUuid)[]).map(encodeAtom)];
  if (typeof v === 'object' && !(v instanceof Uuid) && !(v instanceof NamedUuid)) {
    return ['map', Object.entries(v as Record<string, Atom | NamedUuid>).map(([k, x]) => [k, encodeAtom(x)])];
  }
  return encodeAtom(v as Atom | NamedUuid);
}

/** A row of columns for `insert`/`update`, encoded. */
export function encodeRow(row: Readonly<Record<string, WireInput>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) out[column] = encodeValue(value);
  return out;
}

/** Equality of decoded values; sets compare as sets, maps by entries. */
export function valuesEqual(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  if (a instanceof Uuid || b instanceof Uuid) return a instanceof Uuid && b instanceof Uuid && a.uuid === b.uuid;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    const keys = new Set((a as Atom[]).map(atomKey));
    return (b as Atom[]).every((x) => keys.has(atomKey(x)));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const ea = Object.entries(a);
    const rb = b as Record<string, Atom>;
    return ea.length === Object.keys(rb).length && ea.every(([k, x]) => k in rb && atomKey(x) === atomKey(rb[k] as Atom));
  }
  return false;
}

/** A string that identifies an atom, for set membership. */
export function atomKey(a: Atom): string {
  return a instanceof Uuid ? `u:${a.uuid}` : `${typeof a}:${String(a)}`;
}
