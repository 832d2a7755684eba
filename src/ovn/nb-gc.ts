import type { DbCache, Row } from './cache.js';
import { allRows } from './cache.js';
import type { NbContext } from './nb-model.js';
import { PRIORITY, routerPortName, switchRouterPortName, VENDOR } from './nb-names.js';
import { holds, named, str, strMap } from './nb-rows.js';
import type { Tx } from './nb-tx.js';
import { Uuid } from './values.js';

/** What exists in Kubernetes: anything of ours in NB that none of these explains is an orphan. */
export interface Owners {
  /** Port names `<pod>.<ns>` of live pods that have an address. */
  readonly podPorts: ReadonlySet<string>;
  readonly nodes: ReadonlySet<string>;
  readonly subnets: ReadonlySet<string>;
}

export interface Orphan {
  readonly table: 'Logical_Switch_Port' | 'Logical_Switch' | 'Logical_Router_Port' | 'Port_Group' | 'Logical_Router_Policy';
  readonly uuid: string;
  /** Name (or match, for a policy), for logs. */
  readonly name: string;
}

const ours = (row: Row): boolean => strMap(row, 'external_ids')['vendor'] === VENDOR;

// Each rule judges only the kinds of row this model writes. A vendor row of a kind it does not
// model (a custom VPC's patch, a VIP port, a network-policy group, another priority's policy) is
// owned by something we cannot see, so it is left alone: deleting it would break Kube-OVN features.

function portOwned(row: Row, owners: Owners, ctx: NbContext): boolean {
  const name = str(row, 'name');
  const ids = strMap(row, 'external_ids');
  const type = str(row, 'type');
  if (type === 'router') {
    if (!name.endsWith(`-${ctx.router}`)) return true;
    return name === switchRouterPortName(ctx.nodeSwitch, ctx.router) || [...owners.subnets].some((s) => switchRouterPortName(s, ctx.router) === name);
  }
  if (type !== '') return true;
  if (ids['pod'] !== undefined) return owners.podPorts.has(name);
  if (name.startsWith('node-') && (ids['ls'] === undefined || ids['ls'] === ctx.nodeSwitch)) return owners.nodes.has(name.slice('node-'.length));
  return true;
}

function groupOwned(row: Row, owners: Owners): boolean {
  const ids = strMap(row, 'external_ids');
  const node = ids['node'];
  if (node === undefined || node === '') return true;
  if (!owners.nodes.has(node)) return false;
  if (ids['subnet'] !== undefined && ids['subnet'] !== '') return owners.subnets.has(ids['subnet']);
  return true;
}

function policyOwned(row: Row, owners: Owners): boolean {
  const ids = strMap(row, 'external_ids');
  const priority = Number(str(row, 'priority'));
  if (priority === PRIORITY.subnetAllow) return ids['subnet'] === undefined || owners.subnets.has(ids['subnet']);
  if (priority !== PRIORITY.nodeReroute && priority !== PRIORITY.subnetNodeReroute) return true;
  if (ids['node'] !== undefined && !owners.nodes.has(ids['node'])) return false;
  return ids['subnet'] === undefined || owners.subnets.has(ids['subnet']);
}

/**
 * Rows marked `vendor=kube-ovn` that no owner explains. Pure. Rows without the mark are never
 * listed, and the node switch and the router are owned by configuration.
 */
export function findOrphans(cache: DbCache, ctx: NbContext, owners: Owners): Orphan[] {
  const out: Orphan[] = [];
  for (const row of allRows(cache, 'Logical_Switch_Port')) if (ours(row) && !portOwned(row, owners, ctx)) out.push({ table: 'Logical_Switch_Port', uuid: row._uuid, name: str(row, 'name') });
  for (const row of allRows(cache, 'Logical_Switch')) {
    const name = str(row, 'name');
    if (ours(row) && name !== ctx.nodeSwitch && !owners.subnets.has(name)) out.push({ table: 'Logical_Switch', uuid: row._uuid, name });
  }
  for (const row of allRows(cache, 'Logical_Router_Port')) {
    const name = str(row, 'name');
    const mine = name.startsWith(`${ctx.router}-`);
    const owned = !mine || name === routerPortName(ctx.router, ctx.nodeSwitch) || [...owners.subnets].some((s) => routerPortName(ctx.router, s) === name);
    if (ours(row) && !owned) out.push({ table: 'Logical_Router_Port', uuid: row._uuid, name });
  }
  for (const row of allRows(cache, 'Port_Group')) if (ours(row) && !groupOwned(row, owners)) out.push({ table: 'Port_Group', uuid: row._uuid, name: str(row, 'name') });
  for (const row of allRows(cache, 'Logical_Router_Policy')) if (ours(row) && !policyOwned(row, owners)) out.push({ table: 'Logical_Router_Policy', uuid: row._uuid, name: str(row, 'match') });
  return out;
}

/**
 * One GC pass (Kube-OVN's mark and sweep): orphans also seen on the previous pass are removed,
 * the rest become suspects. A row is thus removed only when orphaned for a whole interval,
 * which covers an object created in Kubernetes whose cache event is still on its way.
 */
export function gcPass(previous: ReadonlySet<string>, orphans: readonly Orphan[]): { remove: Orphan[]; suspects: Set<string> } {
  const suspects = new Set<string>();
  const remove: Orphan[] = [];
  for (const o of orphans) {
    if (previous.has(o.uuid)) remove.push(o);
    else suspects.add(o.uuid);
  }
  return { remove, suspects };
}

/** Operations removing `orphans`; rows already gone are skipped. */
export function removeOrphansOps(tx: Tx, cache: DbCache, ctx: NbContext, orphans: readonly Orphan[]): void {
  const lr = named(cache, 'Logical_Router', ctx.router);
  for (const o of orphans) {
    if (cache.tables.get(o.table)?.get(o.uuid) === undefined) continue;
    const ref = new Uuid(o.uuid);
    if (o.table === 'Logical_Switch' || o.table === 'Port_Group') tx.push({ op: 'delete', table: o.table, where: [['_uuid', '==', ref]] });
    else if (o.table === 'Logical_Switch_Port') {
      for (const ls of allRows(cache, 'Logical_Switch')) if (holds(ls, 'ports', o.uuid)) tx.removeRef('Logical_Switch', ls._uuid, 'ports', ref);
    } else if (lr !== undefined) {
      const column = o.table === 'Logical_Router_Port' ? 'ports' : 'policies';
      if (holds(lr, column, o.uuid)) tx.removeRef('Logical_Router', lr._uuid, column, ref);
    }
  }
}
