import { columnType } from './schema.js';
import type { DbSchema } from './schema.js';
import { atomKey, decodeValue, isMapType, isSetType, Uuid } from './values.js';
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
  return [...uuids].flatMap((u) => {
    const row = rows?.get(u);
    return row === undefined ? [] : [row];
  });
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

/** Applies an `update2` diff of one column (ovsdb-server(7) "update2 notification"). */
function modifyColumn(old: Value | undefined, diff: Value, map: boolean, set: boolean): Value {
  if (set) {
    // A set diff lists elements whose membership flips.
    const result = new Map<string, Atom>(((old ?? []) as Atom[]).map((a) => [atomKey(a), a]));
    for (const a of diff as Atom[]) {
      const k = atomKey(a);
      if (result.has(k)) result.delete(k);
      else result.set(k, a);
    }
    return [...result.values()];
  }
  if (map) {
    // A map diff: absent key added, same key and value removed, same key other value replaced.
    const result: Record<string, Atom> = { ...((old ?? {}) as Record<string, Atom>) };
    for (const [k, v] of Object.entries(diff as Record<string, Atom>)) {
      const current = result[k];
      if (current !== undefined && atomKey(current) === atomKey(v)) delete result[k];
      else result[k] = v;
    }
    return result;
  }
  return diff;
}

function modifyRow(schema: DbSchema, table: string, old: Row, raw: Record<string, unknown>): Row {
  const row: Record<string, Value> = { ...old };
  for (const [column, value] of Object.entries(raw)) {
    const type = columnType(schema, table, column);
    row[column] = modifyColumn(old[column], decodeValue(value, type), isMapType(type), isSetType(type));
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
