/**
 * The OVSDB cache's cost per `update2` as a set grows (issue 14): N single-port modifies of one
 * switch's and one port group's `ports` (what N pods, one per transaction, cost the cache), each
 * followed by `holds()` on both. Cumulative ms at every tenth: a flat slope is size-independent.
 * Run: node --import tsx bench/ovn-cache.bench.ts [n=10000]. Prints one JSON line.
 */
import { loadavg } from 'node:os';
import { applyUpdate2, createCache } from '../src/ovn/cache.js';
import { holds } from '../src/ovn/nb-rows.js';
import { NB_SCHEMA } from '../test/ovn/fixtures.js';

const n = Number(process.argv[2] ?? 10_000);
const cache = createCache();
applyUpdate2(cache, NB_SCHEMA, { Logical_Switch: { s1: { initial: { name: 'ovn-default' } } }, Port_Group: { g1: { initial: { name: 'ovn.default.node.1' } } } });
const row = (table: string, uuid: string) => {
  const r = cache.tables.get(table)?.get(uuid);
  if (r === undefined) throw new Error(`${table} ${uuid} missing`);
  return r;
};
const marks: number[] = [];
const t0 = performance.now();
for (let i = 0; i < n; i++) {
  const u = `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`;
  applyUpdate2(cache, NB_SCHEMA, { Logical_Switch: { s1: { modify: { ports: ['uuid', u] } } }, Port_Group: { g1: { modify: { ports: ['uuid', u] } } } });
  if (!holds(row('Logical_Switch', 's1'), 'ports', u) || !holds(row('Port_Group', 'g1'), 'ports', u)) throw new Error(`port ${u} not held`);
  if ((i + 1) % Math.max(1, Math.floor(n / 10)) === 0) marks.push(Math.round(performance.now() - t0));
}
const totalMs = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ bench: 'ovn-cache', updates: n, totalMs: Math.round(totalMs), usPerUpdate: Math.round((totalMs * 1000) / n), cumulativeMsAtTenths: marks, loadavg1: loadavg()[0] })}\n`);
