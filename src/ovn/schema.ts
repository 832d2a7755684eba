import { parseColumnType } from './values.js';
import type { ColumnType } from './values.js';

/** What the client needs of a database schema (RFC 7047 §3.2). */
export interface DbSchema {
  readonly name: string;
  readonly version: string;
  readonly tables: ReadonlyMap<string, TableSchema>;
}

export interface TableSchema {
  readonly columns: ReadonlyMap<string, ColumnType>;
  readonly isRoot: boolean;
}

const IMPLICIT: ReadonlyMap<string, ColumnType> = new Map([
  ['_uuid', { key: 'uuid', min: 1, max: 1 }],
  ['_version', { key: 'uuid', min: 1, max: 1 }],
]);

/** A `get_schema` reply to `DbSchema`; throws on a shape that is not a schema. */
export function parseSchema(raw: unknown): DbSchema {
  if (typeof raw !== 'object' || raw === null) throw new Error('OVSDB schema: not an object');
  const s = raw as { name?: unknown; version?: unknown; tables?: Record<string, { columns: Record<string, { type: unknown }>; isRoot?: boolean }> };
  if (typeof s.name !== 'string' || typeof s.tables !== 'object') throw new Error('OVSDB schema: missing name or tables');
  const tables = new Map<string, TableSchema>();
  for (const [table, t] of Object.entries(s.tables)) {
    const columns = new Map(IMPLICIT);
    for (const [column, c] of Object.entries(t.columns)) columns.set(column, parseColumnType(c.type));
    tables.set(table, { columns, isRoot: t.isRoot === true });
  }
  return { name: s.name, version: typeof s.version === 'string' ? s.version : '', tables };
}

/** The column's type; throws naming table and column when the schema has no such column (a bug in our table list). */
export function columnType(schema: DbSchema, table: string, column: string): ColumnType {
  const type = schema.tables.get(table)?.columns.get(column);
  if (type === undefined) throw new Error(`OVSDB schema ${schema.name}: no column ${table}.${column}`);
  return type;
}
