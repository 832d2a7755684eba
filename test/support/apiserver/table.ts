import type { Encoder } from './encode.js';
import type { ListPage, ListQuery } from './list.js';
import { builtinColumns, hasNameColumn } from './printers.js';
import { isObject, resourceKey } from './types.js';
import type { KubeObject, PrinterColumn } from './types.js';

/** kubectl asks `application/json;as=Table;v=v1;g=meta.k8s.io` for human output. */
export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('as=Table');
}

/** Like apimachinery's duration.HumanDuration, which kube-apiserver uses for Age cells. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 730) return `${d}d`;
  return `${Math.floor(d / 365)}y${d % 365}d`;
}

const SEGMENT = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\?\(@\.([A-Za-z0-9_.-]+)\s*==\s*["']([^"']*)["']\)\]/g;

/** Evaluates the JSONPath subset printer columns use: `.a.b`, `[0]`, `[?(@.type=="Ready")]`. */
export function evalPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const m of path.matchAll(SEGMENT)) {
    if (m[1] !== undefined) cur = isObject(cur) ? cur[m[1]] : undefined;
    else if (m[2] !== undefined) cur = Array.isArray(cur) ? cur[Number(m[2])] : undefined;
    else if (m[3] !== undefined) cur = Array.isArray(cur) ? cur.find((e) => evalPath(e, `.${m[3] ?? ''}`) === m[4]) : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

type Column = PrinterColumn & { cell: (obj: KubeObject, now: number) => unknown };

function ageOf(t: unknown, now: number): string {
  return typeof t === 'string' && t !== '' ? humanDuration(now - Date.parse(t)) : '<unknown>';
}

function columnsFor(q: ListQuery): { columns: Column[]; name: boolean } {
  const { def } = q;
  const resource = resourceKey(def.group, def.plural);
  if (def.builtin) {
    const builtin = builtinColumns(resource, ageOf);
    // Kinds without a printer get kube-apiserver's default table: Name, Created At.
    const columns = builtin ?? [{ name: 'Created At', type: 'date', cell: (o: KubeObject) => o.metadata.creationTimestamp ?? '' }];
    return { columns: columns.map((c) => ({ jsonPath: '', ...c })), name: hasNameColumn(resource) };
  }
  // A CRD without additionalPrinterColumns prints Age (apiextensions' default column).
  if (def.printerColumns.length === 0) return { columns: [{ name: 'Age', type: 'date', jsonPath: '', cell: (o, now) => ageOf(o.metadata.creationTimestamp, now) }], name: true };
  const columns = def.printerColumns.map((c) => ({
    ...c,
    cell: (o: KubeObject, now: number) => {
      const v = evalPath(o, c.jsonPath);
      if (v === undefined || v === null) return null;
      if (c.type === 'date' && typeof v === 'string') return humanDuration(now - Date.parse(v));
      return isObject(v) || Array.isArray(v) ? JSON.stringify(v) : v;
    },
  }));
  return { columns, name: true };
}

/** A meta.k8s.io/v1 Table for kubectl's human output (rows carry PartialObjectMetadata). */
export function encodeTable(_encoder: Encoder, q: ListQuery, page: ListPage, now: Date): string {
  const { columns, name } = columnsFor(q);
  const t = now.getTime();
  const columnDefinitions = [
    ...(name ? [{ name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 }] : []),
    ...columns.map((c) => ({ name: c.name, type: c.type === 'date' ? 'string' : c.type, format: c.name === 'Name' ? 'name' : '', description: c.description ?? c.name, priority: c.priority ?? 0 })),
  ];
  const rows = page.items.map((o) => ({
    cells: [...(name ? [o.metadata.name] : []), ...columns.map((c) => c.cell(o, t))],
    object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
  }));
  const metadata: Record<string, unknown> = { resourceVersion: String(page.rv) };
  if (page.continueToken !== undefined) metadata['continue'] = page.continueToken;
  return JSON.stringify({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions, rows });
}
