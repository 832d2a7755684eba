import { encodeRow, encodeValue } from './values.js';
import type { WireInput } from './values.js';

/** RFC 7047 §5.1 `<condition>`: `[column, function, value]`. */
export type Condition = readonly [column: string, fn: '==' | '!=' | 'includes' | 'excludes' | '<' | '<=' | '>' | '>=', value: WireInput];
/** RFC 7047 §5.1 `<mutation>`. */
export type Mutation = readonly [column: string, mutator: 'insert' | 'delete' | '+=' | '-=' | '*=' | '/=' | '%=', value: WireInput];

type Columns = Readonly<Record<string, WireInput>>;

/** One transact operation (RFC 7047 §5.2), with JS values; `encodeOperation` puts it on the wire. */
export type Operation =
  | { readonly op: 'insert'; readonly table: string; readonly row: Columns; readonly uuidName?: string }
  | { readonly op: 'select'; readonly table: string; readonly where: readonly Condition[]; readonly columns?: readonly string[] }
  | { readonly op: 'update'; readonly table: string; readonly where: readonly Condition[]; readonly row: Columns }
  | { readonly op: 'mutate'; readonly table: string; readonly where: readonly Condition[]; readonly mutations: readonly Mutation[] }
  | { readonly op: 'delete'; readonly table: string; readonly where: readonly Condition[] }
  | {
      readonly op: 'wait';
      readonly table: string;
      readonly where: readonly Condition[];
      readonly columns: readonly string[];
      readonly until: '==' | '!=';
      readonly rows: readonly Columns[];
      /** ms; 0 (the default here) fails at once instead of blocking the database. */
      readonly timeout?: number;
    }
  | { readonly op: 'comment'; readonly comment: string };

function where(conditions: readonly Condition[]): unknown[] {
  return conditions.map(([c, f, v]) => [c, f, encodeValue(v)]);
}

export function encodeOperation(o: Operation): Record<string, unknown> {
  switch (o.op) {
    case 'insert':
      return { op: 'insert', table: o.table, row: encodeRow(o.row), ...(o.uuidName === undefined ? {} : { 'uuid-name': o.uuidName }) };
    case 'select':
      return { op: 'select', table: o.table, where: where(o.where), ...(o.columns === undefined ? {} : { columns: o.columns }) };
    case 'update':
      return { op: 'update', table: o.table, where: where(o.where), row: encodeRow(o.row) };
    case 'mutate':
      return { op: 'mutate', table: o.table, where: where(o.where), mutations: o.mutations.map(([c, m, v]) => [c, m, encodeValue(v)]) };
    case 'delete':
      return { op: 'delete', table: o.table, where: where(o.where) };
    case 'wait':
      return { op: 'wait', table: o.table, where: where(o.where), columns: o.columns, until: o.until, rows: o.rows.map(encodeRow), timeout: o.timeout ?? 0 };
    case 'comment':
      return { op: 'comment', comment: o.comment };
  }
}

/** Result of one operation that succeeded. `uuid` for insert, `count` for update/mutate/delete, `rows` (raw) for select. */
export interface OpResult {
  readonly uuid?: string;
  readonly count?: number;
  readonly rows?: readonly Record<string, unknown>[];
}

/**
 * What a transaction came to. A failing operation or commit is a value, not a throw: the
 * caller decides (a failed `wait` usually means "someone else did it; re-read the cache").
 * `unavailable`: no usable connection within the timeout, or it dropped before the reply,
 * so whether it committed is unknown — only an idempotent transaction may be retried.
 */
export type TransactOutcome =
  | { readonly ok: true; readonly results: readonly OpResult[] }
  | { readonly ok: false; readonly reason: 'op-error'; readonly index: number; readonly error: string; readonly details: string }
  | { readonly ok: false; readonly reason: 'commit-error'; readonly error: string; readonly details: string }
  | { readonly ok: false; readonly reason: 'unavailable' | 'timeout'; readonly error: string; readonly details: string };

interface RawError {
  error: unknown;
  details?: unknown;
}

function isError(x: unknown): x is RawError {
  return typeof x === 'object' && x !== null && 'error' in x && (x as RawError).error !== null && (x as RawError).error !== undefined;
}

function readResult(raw: unknown): OpResult {
  const r = (raw ?? {}) as { uuid?: unknown; count?: number; rows?: Record<string, unknown>[] };
  const uuid = Array.isArray(r.uuid) && typeof r.uuid[1] === 'string' ? r.uuid[1] : undefined;
  return { ...(uuid === undefined ? {} : { uuid }), ...(r.count === undefined ? {} : { count: r.count }), ...(r.rows === undefined ? {} : { rows: r.rows }) };
}

/**
 * Reads a transact reply (RFC 7047 §4.1.3): one element per operation; an operation error makes
 * later elements null; a commit failure (constraint, referential integrity) is an extra trailing
 * error element.
 */
export function parseTransactReply(result: unknown, operationCount: number): TransactOutcome {
  if (!Array.isArray(result)) return { ok: false, reason: 'commit-error', error: 'malformed reply', details: JSON.stringify(result).slice(0, 200) };
  for (let i = 0; i < Math.min(result.length, operationCount); i++) {
    const r: unknown = result[i];
    if (isError(r)) return { ok: false, reason: 'op-error', index: i, error: String(r.error), details: String(r.details ?? '') };
  }
  const trailing: unknown = result[operationCount];
  if (isError(trailing)) return { ok: false, reason: 'commit-error', error: String(trailing.error), details: String(trailing.details ?? '') };
  return { ok: true, results: result.slice(0, operationCount).map(readResult) };
}
