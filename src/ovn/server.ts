import { Uuid } from './values.js';

/** Columns of `_Server.Database` the client reads (ovsdb-server(7)). */
export const SERVER_COLUMNS = ['name', 'model', 'connected', 'leader'] as const;

export type ServerStatus = { readonly usable: true } | { readonly usable: false; readonly why: string };

function scalar(v: unknown): unknown {
  // Optional columns arrive as `["set", []]` or a bare value.
  if (Array.isArray(v) && v[0] === 'set') return (v[1] as unknown[])[0];
  return v instanceof Uuid ? v.uuid : v;
}

/**
 * From a `_Server` `update2` (or a monitor reply), whether the row of `database` says writes may go
 * here: standalone always; clustered only while `connected` and `leader` (writes to a follower
 * would be forwarded, but its view may lag and a leader change fails them mid-commit). `undefined`
 * when the update does not carry the full row (a `modify` without the columns).
 */
export function serverStatus(updates: unknown, database: string): ServerStatus | undefined {
  const rows = (updates as { Database?: Record<string, Record<string, Record<string, unknown> | null>> } | null)?.Database;
  if (rows === undefined) return undefined;
  for (const update of Object.values(rows)) {
    const full = update?.['initial'] ?? update?.['insert'];
    const row = full ?? update?.['modify'];
    if (row === undefined || row === null || typeof row !== 'object') continue;
    // A full row omits columns at their default: `leader` and `connected` absent mean false.
    const r = full === undefined ? (row as Record<string, unknown>) : { leader: false, connected: false, ...(row as Record<string, unknown>) };
    if ('name' in r && scalar(r['name']) !== database) continue;
    const model = scalar(r['model']);
    if (model !== undefined && model !== 'clustered') return { usable: true };
    if ('connected' in r && scalar(r['connected']) !== true) return { usable: false, why: 'cluster member is not connected to the cluster' };
    if ('leader' in r && scalar(r['leader']) !== true) return { usable: false, why: 'cluster member is not the leader' };
    if ('leader' in r || 'connected' in r) return { usable: true };
  }
  return undefined;
}
