import { applyUpdate2, createCache } from '../../src/ovn/cache.js';
import type { DbCache } from '../../src/ovn/cache.js';
import { parseSchema } from '../../src/ovn/schema.js';
import type { DbSchema } from '../../src/ovn/schema.js';

const STR_SET = { key: 'string', min: 0, max: 'unlimited' };
const MAP = { key: 'string', value: 'string', min: 0, max: 'unlimited' };
const refs = (table: string) => ({ key: { type: 'uuid', refTable: table }, min: 0, max: 'unlimited' });

/** The NB tables the model uses, with the column types of ovn-nb.ovsschema (23.03). */
export const NB_SCHEMA: DbSchema = parseSchema({
  name: 'OVN_Northbound',
  version: '7.0.0',
  tables: {
    Logical_Router: { isRoot: true, columns: { name: { type: 'string' }, ports: { type: refs('Logical_Router_Port') }, policies: { type: refs('Logical_Router_Policy') }, static_routes: { type: refs('Logical_Router_Static_Route') }, options: { type: MAP }, external_ids: { type: MAP } } },
    Logical_Router_Port: { columns: { name: { type: 'string' }, mac: { type: 'string' }, networks: { type: { key: 'string', min: 1, max: 'unlimited' } }, external_ids: { type: MAP } } },
    Logical_Router_Policy: { columns: { priority: { type: 'integer' }, match: { type: 'string' }, action: { type: 'string' }, nexthops: { type: STR_SET }, external_ids: { type: MAP } } },
    Logical_Router_Static_Route: { columns: { ip_prefix: { type: 'string' }, nexthop: { type: 'string' }, policy: { type: { key: 'string', min: 0, max: 1 } }, external_ids: { type: MAP } } },
    Logical_Switch: { isRoot: true, columns: { name: { type: 'string' }, ports: { type: refs('Logical_Switch_Port') }, external_ids: { type: MAP } } },
    Logical_Switch_Port: { columns: { name: { type: 'string' }, type: { type: 'string' }, addresses: { type: STR_SET }, options: { type: MAP }, external_ids: { type: MAP } } },
    Port_Group: { isRoot: true, columns: { name: { type: 'string' }, ports: { type: { key: { type: 'uuid', refTable: 'Logical_Switch_Port', refType: 'weak' }, min: 0, max: 'unlimited' } }, external_ids: { type: MAP } } },
  },
});

type WireRow = Record<string, unknown>;

/** A cache holding `rows` (`{table: {uuid: wireRow}}`), applied as an initial update. */
export function cacheWith(rows: Record<string, Record<string, WireRow>>): DbCache {
  const cache = createCache();
  const update: Record<string, Record<string, { initial: WireRow }>> = {};
  for (const [table, byUuid] of Object.entries(rows)) update[table] = Object.fromEntries(Object.entries(byUuid).map(([u, r]) => [u, { initial: r }]));
  applyUpdate2(cache, NB_SCHEMA, update);
  return cache;
}

export const map = (o: Record<string, string>) => ['map', Object.entries(o)];
export const set = (...xs: unknown[]) => ['set', xs];
export const uuid = (u: string) => ['uuid', u];
