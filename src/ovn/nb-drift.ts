import { rowByUuid } from './cache.js';
import type { DbCache } from './cache.js';
import type { Operation } from './protocol.js';
import { NamedUuid, Uuid } from './values.js';
import type { Atom, Value, WireInput } from './values.js';

/** One difference between what should be and what NB holds. */
export interface Drift {
  /** The request that would repair it, e.g. `port/web-0.default`. */
  readonly key: string;
  readonly table: string;
  /** `missing` row, a `column` that differs, or a reference `member` to add or remove. */
  readonly kind: 'missing' | 'column' | 'member';
  readonly row: string;
  readonly column?: string;
  readonly want?: unknown;
  readonly have?: unknown;
}

function show(v: WireInput | undefined): unknown {
  if (v instanceof Uuid) return v.uuid;
  if (v instanceof NamedUuid) return `(new ${v.name})`;
  if (Array.isArray(v)) return v.map((x: WireInput) => show(x));
  return v;
}

function target(op: { where: readonly (readonly [string, string, WireInput])[] }): string {
  const cond = op.where.find(([c]) => c === '_uuid' || c === 'name');
  return cond === undefined ? '' : String(show(cond[2]));
}

/** A cached value outlives this step only as a copy: the cache changes its sets and maps in place. */
function copyOf(v: Value | undefined): Value | undefined {
  if (Array.isArray(v)) return [...(v as Atom[])];
  return typeof v === 'object' && !(v instanceof Uuid) ? { ...v } : v;
}

/** The operations a repair would run, read back as drift items (so check and repair can never disagree). */
export function describeOperations(key: string, ops: readonly Operation[], cache: DbCache): Drift[] {
  const out: Drift[] = [];
  for (const op of ops) {
    if (op.op === 'insert') out.push({ key, table: op.table, kind: 'missing', row: String(op.row['name'] ?? op.row['match'] ?? op.row['ip_prefix'] ?? '') });
    else if (op.op === 'update') {
      const uuid = target(op);
      const have = rowByUuid(cache, op.table, uuid);
      for (const [column, want] of Object.entries(op.row)) out.push({ key, table: op.table, kind: 'column', row: String(have?.['name'] ?? uuid), column, want: show(want), have: copyOf(have?.[column]) });
    } else if (op.op === 'mutate') {
      const have = rowByUuid(cache, op.table, target(op));
      for (const [column, mutator, value] of op.mutations) out.push({ key, table: op.table, kind: 'member', row: String(have?.['name'] ?? target(op)), column, want: `${mutator} ${JSON.stringify(show(value))}` });
    } else if (op.op === 'delete') out.push({ key, table: op.table, kind: 'member', row: target(op), want: 'delete' });
  }
  return out;
}
