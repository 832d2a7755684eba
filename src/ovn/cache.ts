import { columnType } from './schema.js';
import type { DbSchema } from './schema.js';
import { atomKey, decodeValue, isMapType, isSetType, setMapKey, Uuid } from './values.js';
import type { Atom, Value } from './values.js';

/** One cached row: its columns (decoded) and `_uuid`. */
export type Row = Readonly<Record<string, Value>> & { readonly _uuid: string };

/**
 * The monitored tables of one database, kept by `update2` notifications. A pure data
 * structure: `applyUpdate2` is synchronous and does no I/O. `byName` indexes the `name`
 * column (several rows may share one: `Logical_Switch` has no unique index).
 */
export interface DbCache {
  readonly tables: Map<string, Map<string, Row>>;
  readonly byName: Map<string, Map<string, Set<string>>>;
}

export function createCache(): DbCache {
  return { tables: new Map(), byName: new Map() };
}

/** Rows of `table` named `name` (usually zero or one). */
export function rowsNamed(cache: DbCache, table: string, name: string): Row[] {
  const uuids = cache.byName.get(table)?.get(name);
  if (uuids === undefined) return [];
  const rows = cache.tables.get(table);
  const out: Row[] = [];
  for (const u of uuids) {
    const row = rows?.get(u);
    if (row !== undefined) out.push(row);
  }
  return out;
}

export function rowByUuid(cache: DbCache, table: string, uuid: string): Row | undefined {
  return cache.tables.get(table)?.get(uuid);
}

export function allRows(cache: DbCache, table: string): IterableIterator<Row> {
  return (cache.tables.get(table) ?? new Map<string, Row>()).values();
}

function index(cache: DbCache, table: string, row: Row, add: boolean): void {
  const name = row['name'];
  if (typeof name !== 'string') return;
  let names = cache.byName.get(table);
  if (names === undefined) cache.byName.set(table, (names = new Map()));
  let uuids = names.get(name);
  if (add) {
    if (uuids === undefined) names.set(name, (uuids = new Set()));
    uuids.add(row._uuid);
  } else if (uuids !== undefined) {
    uuids.delete(row._uuid);
    if (uuids.size === 0) names.delete(name);
  }
}

function decodeRow(schema: DbSchema, table: string, uuid: string, raw: Record<string, unknown>): Row {
  const row: Record<string, Value> = { _uuid: uuid };
  for (const [column, value] of Object.entries(raw)) row[column] = decodeValue(value, columnType(schema, table, column));
  return row as Row;
}

/**
 * Set and map values of cached rows are owned by the cache and changed in place by later
 * `update2` diffs, so a diff costs what it names, not the size of the set: adding one port to a
 * switch of 10k ports must not copy 10k references (issue 14). Read rows within one synchronous
 * step (a build, a drift check); copy a value to keep it.
 */
type MemberKey = string | number | boolean;

/** A set element's identity: the uuid of a reference, else the atom (one column holds one atomic type). */
function memberKey(a: Atom): MemberKey {
  return a instanceof Uuid ? a.uuid : a;
}

/** Element -> position of the cached sets that were diffed or asked for membership; built on first need. */
const positions = new WeakMap<readonly Atom[], Map<MemberKey, number>>();

function positionsOf(set: readonly Atom[]): Map<MemberKey, number> {
  let index = positions.get(set);
  if (index === undefined) {
    index = new Map();
    for (let i = 0; i < set.length; i++) index.set(memberKey(set[i] as Atom), i);
    positions.set(set, index);
  }
  return index;
}

/**
 * Whether the set column `column` of `row` holds the element `key` (a uuid string for
 * references). O(1) after the first question about that set, which indexes it once.
 */
export function hasMember(row: Row, column: string, key: MemberKey): boolean {
  const value = row[column];
  if (value === undefined) return false;
  if (Array.isArray(value)) return positionsOf(value).has(key);
  if (value instanceof Uuid || typeof value !== 'object') return memberKey(value) === key;
  return false; // a map column
}

/**
 * A set diff lists elements whose membership flips (ovsdb-server(7) "update2 notification").
 * Removal swaps the last element into the hole: OVSDB sets are unordered, and this keeps both
 * insert and remove O(1).
 */
function flipMembers(set: Atom[], diff: readonly Atom[]): void {
  const index = positionsOf(set);
  for (const a of diff) {
    const k = memberKey(a);
    const at = index.get(k);
    if (at === undefined) {
      index.set(k, set.length);
      set.push(a);
      continue;
    }
    const last = set.pop() as Atom;
    index.delete(k);
    if (at < set.length) {
      set[at] = last;
      index.set(memberKey(last), at);
    }
  }
}

/** A map diff: an absent key is added, the same key and value removed, the same key with another value replaced. */
function applyMapDiff(map: Record<string, Atom>, diff: Readonly<Record<string, Atom>>): void {
  for (const [k, v] of Object.entries(diff)) {
    const current = Object.hasOwn(map, k) ? map[k] : undefined;
    if (current !== undefined && atomKey(current) === atomKey(v)) delete map[k];
    else setMapKey(map, k, v);
  }
}

/**
 * Applies an `update2` diff of one column to `old` in place where it is a set or map; returns the
 * new value. Only a composite column (a map, or a set of more than one element) is sent as a
 * diff: ovsdb-server sends an optional column (`min 0, max 1`, e.g. a static route's `policy`)
 * as its new value, like a scalar, so flipping it would keep the old element beside the new one.
 */
function modifyColumn(old: Value | undefined, diff: Value, map: boolean, set: boolean): Value {
  if (set) {
    const target = (old ?? []) as Atom[];
    flipMembers(target, diff as Atom[]);
    return target;
  }
  if (map) {
    const target = (old ?? {}) as Record<string, Atom>;
    applyMapDiff(target, diff as Record<string, Atom>);
    return target;
  }
  return diff;
}

/** A new row object (rows are replaced on change) sharing the old one's set and map values, changed in place. */
function modifyRow(schema: DbSchema, table: string, old: Row, raw: Record<string, unknown>): Row {
  const row: Record<string, Value> = { ...old };
  for (const [column, value] of Object.entries(raw)) {
    const type = columnType(schema, table, column);
    row[column] = modifyColumn(old[column], decodeValue(value, type), isMapType(type), isSetType(type) && type.max > 1);
  }
  return row as Row;
}

type RowUpdate2 = { initial?: Record<string, unknown>; insert?: Record<string, unknown>; modify?: Record<string, unknown>; delete?: unknown };

/**
 * Applies one `update2` table-updates object (`{<table>: {<uuid>: <row-update2>}}`) to the cache.
 * Throws on a malformed update; the caller should then resync the cache from scratch.
 */
export function applyUpdate2(cache: DbCache, schema: DbSchema, updates: unknown): void {
  if (typeof updates !== 'object' || updates === null) throw new Error('OVSDB update2: not an object');
  for (const [table, rowsUpdate] of Object.entries(updates as Record<string, Record<string, RowUpdate2>>)) {
    let rows = cache.tables.get(table);
    if (rows === undefined) cache.tables.set(table, (rows = new Map()));
    for (const [uuid, update] of Object.entries(rowsUpdate)) {
      const old = rows.get(uuid);
      if (old !== undefined) index(cache, table, old, false);
      let next: Row | undefined;
      if (update.initial !== undefined) next = decodeRow(schema, table, uuid, update.initial);
      else if (update.insert !== undefined) next = decodeRow(schema, table, uuid, update.insert);
      else if (update.modify !== undefined) {
        if (old === undefined) throw new Error(`OVSDB update2: modify of unknown row ${table} ${uuid}`);
        next = modifyRow(schema, table, old, update.modify);
      } else if ('delete' in update) next = undefined;
      else throw new Error(`OVSDB update2: unknown row update for ${table} ${uuid}`);
      if (next === undefined) rows.delete(uuid);
      else {
        rows.set(uuid, next);
        index(cache, table, next, true);
      }
    }
  }
}

/** A uuid column's value as uuid strings (a set or a scalar reference). */
export function uuidsOf(value: Value | undefined): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return (list as Atom[]).flatMap((a) => (a instanceof Uuid ? [a.uuid] : []));
}
