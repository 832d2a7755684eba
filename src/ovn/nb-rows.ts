import { hasMember, rowsNamed, uuidsOf } from './cache.js';
import type { DbCache, Row } from './cache.js';
import { Uuid } from './values.js';
import type { Atom } from './values.js';

/** Reading cached NB rows: columns left at their default are absent from `update2` rows. */

const NO_MAP: Readonly<Record<string, string>> = Object.freeze({});

/**
 * A map column with its values as strings. A string-valued map (`external_ids`, `options`:
 * nearly every map read) is the cached value itself, to be read within the step as every cached
 * value is: copying one per port was 88 ms of the 490 ms northbound reconcile of a restart at
 * 11k pods (profiled, bench/RESULTS.md section L).
 */
export function strMap(row: Row | undefined, column: string): Readonly<Record<string, string>> {
  const v = row?.[column];
  if (v === undefined || Array.isArray(v) || v instanceof Uuid || typeof v !== 'object') return NO_MAP;
  const map = v as Readonly<Record<string, Atom>>;
  for (const k in map) if (typeof map[k] !== 'string') return Object.fromEntries(Object.entries(map).map(([key, x]) => [key, x instanceof Uuid ? x.uuid : String(x)]));
  return map as Readonly<Record<string, string>>;
}

export function strSet(row: Row | undefined, column: string): string[] {
  const v = row?.[column];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((a: Atom) => (a instanceof Uuid ? a.uuid : String(a)));
}

export function str(row: Row | undefined, column: string): string {
  const v = row?.[column];
  if (Array.isArray(v)) return v.length === 0 ? '' : String(v[0]);
  return v === undefined ? '' : String(v);
}

export function refs(row: Row | undefined, column: string): string[] {
  return uuidsOf(row?.[column]);
}

/** The one row named `name`; with duplicates (possible for switches), the oldest-looking one: lowest uuid, a stable choice. */
export function named(cache: DbCache, table: string, name: string): Row | undefined {
  const rows = rowsNamed(cache, table, name);
  if (rows.length <= 1) return rows[0];
  return [...rows].sort((a, b) => (a._uuid < b._uuid ? -1 : 1))[0];
}

/** Rows referenced by `column` of `row`, looked up in `table`. */
export function referenced(cache: DbCache, row: Row | undefined, column: string, table: string): Row[] {
  const rows = cache.tables.get(table);
  return refs(row, column).flatMap((u) => {
    const r = rows?.get(u);
    return r === undefined ? [] : [r];
  });
}

/** Whether the uuid-set column of `row` holds `uuid`: O(1), over the cache's index of that set (10k checks on one switch stay linear). */
export function holds(row: Row, column: string, uuid: string): boolean {
  return hasMember(row, column, uuid);
}

/** Whether every key of `want` is in `have` with the same value (other keys are someone else's). */
export function mapIncludes(have: Readonly<Record<string, string>>, want: Readonly<Record<string, string>>): boolean {
  return Object.entries(want).every(([k, v]) => have[k] === v);
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}
