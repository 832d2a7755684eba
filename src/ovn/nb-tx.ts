import type { Operation } from './protocol.js';
import { NamedUuid, Uuid } from './values.js';
import type { WireInput } from './values.js';

type Ref = Uuid | NamedUuid;

/**
 * One transaction being built, possibly for many requests at once (batching). Named uuids are
 * unique within it, and reference-set changes on one row (a switch's `ports`, the router's
 * `policies`) are coalesced into one `mutate` per row and column, appended after the inserts:
 * adding 500 ports to a switch is one set mutation, not 500.
 */
export class Tx {
  private readonly head: Operation[] = [];
  private readonly refs = new Map<string, { table: string; uuid: string; column: string; insert: Ref[]; remove: Ref[] }>();
  private readonly inserted = new Map<string, Record<string, WireInput>>();
  private seq = 0;

  /** A fresh `uuid-name` (letters, digits and `_` only, as RFC 7047 `<id>` requires). */
  named(prefix: string): NamedUuid {
    return new NamedUuid(`${prefix.replace(/[^A-Za-z0-9_]/g, '_')}_${this.seq++}`);
  }

  push(...ops: Operation[]): void {
    this.head.push(...ops);
  }

  private entry(table: string, uuid: string, column: string) {
    const key = `${table}\0${uuid}\0${column}`;
    let e = this.refs.get(key);
    if (e === undefined) this.refs.set(key, (e = { table, uuid, column, insert: [], remove: [] }));
    return e;
  }

  /**
   * Inserts a row under a unique index (`name` of a `Port_Group`) once per transaction. Two
   * requests batched together may both find the row missing from the cache; a second insert would
   * fail the whole batch on the index, so the second gets the first's row to add to instead.
   * Returns the row to be inserted, and whether this call pushed it.
   */
  insertUnique(table: string, name: string, row: Record<string, WireInput>): { readonly row: Record<string, WireInput>; readonly pushed: boolean } {
    const key = `${table}\0${name}`;
    const have = this.inserted.get(key);
    if (have !== undefined) return { row: have, pushed: false };
    this.inserted.set(key, row);
    this.head.push({ op: 'insert', table, row });
    return { row, pushed: true };
  }

  /** Adds `ref` to the set column `column` of row `uuid`. */
  addRef(table: string, uuid: string, column: string, ref: Ref): void {
    this.entry(table, uuid, column).insert.push(ref);
  }

  removeRef(table: string, uuid: string, column: string, ref: Ref): void {
    this.entry(table, uuid, column).remove.push(ref);
  }

  /** Operations pushed so far (the coalesced mutates come after them). */
  get pushed(): number {
    return this.head.length;
  }

  get empty(): boolean {
    return this.head.length === 0 && this.refs.size === 0;
  }

  /** Operations in commit order: the pushed ones, then one mutate per touched row and column. */
  operations(): Operation[] {
    const tail: Operation[] = [];
    for (const e of this.refs.values()) {
      // A set on the wire must not repeat an element: two requests may name the same reference.
      const remove = unique(e.remove);
      const insert = unique(e.insert);
      const mutations = [
        ...(remove.length > 0 ? [[e.column, 'delete', remove] as const] : []),
        ...(insert.length > 0 ? [[e.column, 'insert', insert] as const] : []),
      ];
      tail.push({ op: 'mutate', table: e.table, where: [['_uuid', '==', new Uuid(e.uuid)]], mutations });
    }
    return [...this.head, ...tail];
  }
}

function unique(refs: readonly Ref[]): Ref[] {
  const seen = new Map<string, Ref>();
  for (const r of refs) seen.set(r instanceof Uuid ? `u${r.uuid}` : `n${r.name}`, r);
  return [...seen.values()];
}
