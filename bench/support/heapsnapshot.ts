// Reduces a V8 .heapsnapshot to self size per constructor (objects) or per node type
// (strings, arrays, code...), to say what the controller's heap holds.
import { readFile } from 'node:fs/promises';

interface Snapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: readonly string[]; readonly node_types: readonly [readonly string[], ...unknown[]] } };
  readonly nodes: readonly number[];
  readonly strings: readonly string[];
}

export interface HeapRow {
  readonly what: string;
  readonly count: number;
  readonly selfMiB: number;
}

/** Top `top` groups by self size, and the total. */
export async function summarizeHeapSnapshot(path: string, top: number): Promise<{ totalMiB: number; top: HeapRow[] }> {
  const snap = JSON.parse(await readFile(path, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const stride = fields.length;
  const fType = fields.indexOf('type');
  const fName = fields.indexOf('name');
  const fSize = fields.indexOf('self_size');
  const groups = new Map<string, { count: number; size: number }>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += stride) {
    const type = types[snap.nodes[i + fType] as number] ?? '?';
    const size = snap.nodes[i + fSize] as number;
    const key = type === 'object' || type === 'closure' ? `${type} ${snap.strings[snap.nodes[i + fName] as number]}` : `(${type})`;
    const g = groups.get(key) ?? { count: 0, size: 0 };
    g.count++;
    g.size += size;
    groups.set(key, g);
    total += size;
  }
  const mib = (x: number): number => Math.round((x / 2 ** 20) * 10) / 10;
  const rows = [...groups.entries()].sort((a, b) => b[1].size - a[1].size).slice(0, top);
  return { totalMiB: mib(total), top: rows.map(([what, g]) => ({ what, count: g.count, selfMiB: mib(g.size) })) };
}
