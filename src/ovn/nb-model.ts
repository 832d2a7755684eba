import type { DbCache, Row } from './cache.js';
import { allRows } from './cache.js';
import { named, referenced, holds, mapIncludes, refs, sameSet, str, strMap, strSet } from './nb-rows.js';
import { ipFamily, nodePortName, podPortName, PRIORITY, ROUTER_OPTIONS, routerPortName, subnetNodePortGroupName, switchRouterPortName, VENDOR } from './nb-names.js';
import type { Tx } from './nb-tx.js';
import { NamedUuid, Uuid } from './values.js';

/** What the NB should hold for one subnet. `cidrs` and `gateways` pair up by family, `v4,v6` order. */
export interface SubnetSpec {
  readonly name: string;
  readonly cidrs: readonly string[];
  readonly gateways: readonly string[];
}

/** What the NB should hold for one pod. `ips` v4 first. */
export interface PodPortSpec {
  readonly pod: string;
  readonly namespace: string;
  readonly subnet: string;
  readonly mac: string;
  readonly ips: readonly string[];
  /**
   * The pod's node once it is scheduled: the port then joins `<subnet>.<node>` in the same
   * transaction as its creation (one NB step per scheduled pod, DESIGN §10), so `routed` can be
   * written with the allocation.
   */
  readonly node?: string;
}

export interface NodeSpec {
  readonly node: string;
  /** The node's `join` addresses (v4 first) and its port's MAC. */
  readonly joinIps: readonly string[];
  readonly mac: string;
  /** The Node's InternalIP addresses: policy 30000 sends traffic for them to the node. */
  readonly internalIps: readonly string[];
  /** Subnets whose pods leave through this node (Kube-OVN's distributed gateway): port group `<subnet>.<node>` and policy 29000. */
  readonly subnets: readonly string[];
}

export interface NbContext {
  readonly router: string;
  readonly nodeSwitch: string;
  /** Gateways of the node switch; the router's default routes point there. */
  readonly nodeSwitchGateways: readonly string[];
  readonly newMac: () => string;
}

/** A build that cannot proceed from this cache; the caller reports it, it is not retried blindly. */
export type BuildProblem = { readonly problem: 'NoRouter' | 'NoSwitch' | 'NoPort'; readonly detail: string };

export function isProblem(x: unknown): x is BuildProblem {
  return typeof x === 'object' && x !== null && typeof (x as { problem?: unknown }).problem === 'string' && !('_uuid' in x);
}

const vendor = (extra: Record<string, string> = {}): Record<string, string> => ({ vendor: VENDOR, ...extra });

/** Fails the transaction when rows named `name` exist, so a retried "create if absent" of an unindexed table cannot duplicate. */
function absentGuard(tx: Tx, table: string, name: string): void {
  tx.push({ op: 'wait', table, where: [['name', '==', name]], columns: ['name'], until: '==', rows: [] });
}

/** Fails the transaction when `column` of the row changed since the cache saw it (optimistic concurrency on unindexed children). */
function unchangedGuard(tx: Tx, table: string, row: Row, column: string): void {
  tx.push({ op: 'wait', table, where: [['_uuid', '==', new Uuid(row._uuid)]], columns: [column], until: '==', rows: [{ [column]: refs(row, column).map((u) => new Uuid(u)) }] });
}

/** Updates `row` so that it has `columns` and carries the map entries of `maps`, keeping other keys. */
function updateIfDrifted(tx: Tx, table: string, row: Row, scalars: Record<string, string | string[]>, maps: Record<string, Record<string, string>>): boolean {
  const patch: Record<string, string | string[] | Record<string, string>> = {};
  for (const [c, want] of Object.entries(scalars)) {
    const ok = Array.isArray(want) ? sameSet(strSet(row, c), want) : str(row, c) === want;
    if (!ok) patch[c] = want;
  }
  for (const [c, want] of Object.entries(maps)) if (!mapIncludes(strMap(row, c), want)) patch[c] = { ...strMap(row, c), ...want };
  if (Object.keys(patch).length === 0) return false;
  tx.push({ op: 'update', table, where: [['_uuid', '==', new Uuid(row._uuid)]], row: patch });
  return true;
}

function router(cache: DbCache, ctx: NbContext): Row | BuildProblem {
  return named(cache, 'Logical_Router', ctx.router) ?? { problem: 'NoRouter', detail: `logical router ${ctx.router} does not exist yet` };
}

/** Router `ovn-cluster` with Kube-OVN's options, and a default route per family to the node switch gateway. */
export function ensureRouterOps(tx: Tx, cache: DbCache, ctx: NbContext): void {
  const lr = named(cache, 'Logical_Router', ctx.router);
  const routes = ctx.nodeSwitchGateways.map((gw) => ({ ip_prefix: ipFamily(gw) === 'ip4' ? '0.0.0.0/0' : '::/0', nexthop: gw, policy: 'dst-ip', external_ids: vendor() }));
  if (lr === undefined) {
    absentGuard(tx, 'Logical_Router', ctx.router);
    const names = routes.map((r) => {
      const n = tx.named('route');
      tx.push({ op: 'insert', table: 'Logical_Router_Static_Route', row: r, uuidName: n.name });
      return n;
    });
    tx.push({ op: 'insert', table: 'Logical_Router', row: { name: ctx.router, options: ROUTER_OPTIONS, external_ids: vendor(), static_routes: names } });
    return;
  }
  updateIfDrifted(tx, 'Logical_Router', lr, {}, { options: ROUTER_OPTIONS, external_ids: vendor() });
  const have = referenced(cache, lr, 'static_routes', 'Logical_Router_Static_Route');
  let guarded = false;
  for (const r of routes) {
    if (have.some((h) => str(h, 'ip_prefix') === r.ip_prefix && str(h, 'nexthop') === r.nexthop && str(h, 'policy') !== 'src-ip')) continue;
    if (!guarded) unchangedGuard(tx, 'Logical_Router', lr, 'static_routes');
    guarded = true;
    const n = tx.named('route');
    tx.push({ op: 'insert', table: 'Logical_Router_Static_Route', row: r, uuidName: n.name });
    tx.addRef('Logical_Router', lr._uuid, 'static_routes', n);
  }
  // A default route of ours to a gateway no longer configured would send traffic nowhere.
  for (const h of have) {
    const stale = strMap(h, 'external_ids')['vendor'] === VENDOR && (str(h, 'ip_prefix') === '0.0.0.0/0' || str(h, 'ip_prefix') === '::/0') && !routes.some((r) => r.nexthop === str(h, 'nexthop'));
    if (stale) tx.removeRef('Logical_Router', lr._uuid, 'static_routes', new Uuid(h._uuid));
  }
}

function prefixOf(cidr: string): string {
  return cidr.slice(cidr.indexOf('/') + 1);
}

/** Switch, router patch (both ends) and the 31000 allow policies of one subnet. */
export function ensureSubnetOps(tx: Tx, cache: DbCache, ctx: NbContext, spec: SubnetSpec): BuildProblem | undefined {
  const lr = router(cache, ctx);
  if (isProblem(lr)) return lr;
  const lspName = switchRouterPortName(spec.name, ctx.router);
  const lrpName = routerPortName(ctx.router, spec.name);
  const lsp = { name: lspName, type: 'router', addresses: ['router'], options: { 'router-port': lrpName }, external_ids: vendor() };
  const ls = named(cache, 'Logical_Switch', spec.name);
  const havePort = named(cache, 'Logical_Switch_Port', lspName);
  if (ls === undefined) {
    absentGuard(tx, 'Logical_Switch', spec.name);
    const ports = havePort === undefined ? [tx.named('lsp')] : [new Uuid(havePort._uuid)];
    if (havePort === undefined) tx.push({ op: 'insert', table: 'Logical_Switch_Port', row: lsp, uuidName: (ports[0] as { name: string }).name });
    tx.push({ op: 'insert', table: 'Logical_Switch', row: { name: spec.name, external_ids: vendor(), ports } });
  } else if (havePort === undefined || !holds(ls, 'ports', havePort._uuid)) {
    const ref = havePort === undefined ? tx.named('lsp') : new Uuid(havePort._uuid);
    if (havePort === undefined) tx.push({ op: 'insert', table: 'Logical_Switch_Port', row: lsp, uuidName: (ref as { name: string }).name });
    tx.addRef('Logical_Switch', ls._uuid, 'ports', ref);
  } else {
    updateIfDrifted(tx, 'Logical_Switch_Port', havePort, { type: 'router', addresses: ['router'] }, { options: lsp.options, external_ids: lsp.external_ids });
  }
  ensureRouterPort(tx, cache, lr, lrpName, spec, ctx.newMac);
  ensurePolicies(tx, cache, lr, subnetPolicies(spec), (p) => strMap(p, 'external_ids')['subnet'] === spec.name && Number(str(p, 'priority')) === PRIORITY.subnetAllow);
  return undefined;
}

function ensureRouterPort(tx: Tx, cache: DbCache, lr: Row, name: string, spec: SubnetSpec, newMac: () => string): void {
  const networks = spec.gateways.map((gw, i) => `${gw}/${prefixOf(spec.cidrs[i] ?? '')}`);
  const have = named(cache, 'Logical_Router_Port', name);
  const external_ids = vendor({ lr: str(lr, 'name') });
  if (have !== undefined && holds(lr, 'ports', have._uuid)) {
    // The MAC stays what NB holds: a new one on every restart would flush every pod's ARP entry.
    updateIfDrifted(tx, 'Logical_Router_Port', have, { networks }, { external_ids });
    return;
  }
  if (have !== undefined) return tx.addRef('Logical_Router', lr._uuid, 'ports', new Uuid(have._uuid));
  const n = tx.named('lrp');
  tx.push({ op: 'insert', table: 'Logical_Router_Port', row: { name, mac: newMac(), networks, external_ids }, uuidName: n.name });
  tx.addRef('Logical_Router', lr._uuid, 'ports', n);
}

interface PolicySpec {
  readonly priority: number;
  readonly match: string;
  readonly action: 'allow' | 'reroute';
  readonly nexthops: readonly string[];
  readonly external_ids: Record<string, string>;
}

function subnetPolicies(spec: SubnetSpec): PolicySpec[] {
  return spec.cidrs.map((cidr) => ({ priority: PRIORITY.subnetAllow, match: `${ipFamily(cidr)}.dst == ${cidr}`, action: 'allow', nexthops: [], external_ids: vendor({ subnet: spec.name }) }));
}

/** Makes the router's policies selected by `mine` exactly `want` (matched on priority, match, action, nexthops). */
function ensurePolicies(tx: Tx, cache: DbCache, lr: Row, want: readonly PolicySpec[], mine: (p: Row) => boolean): void {
  const have = referenced(cache, lr, 'policies', 'Logical_Router_Policy').filter(mine);
  const same = (p: Row, w: PolicySpec) => Number(str(p, 'priority')) === w.priority && str(p, 'match') === w.match && str(p, 'action') === w.action && sameSet(strSet(p, 'nexthops'), [...w.nexthops]);
  const missing = want.filter((w) => !have.some((p) => same(p, w)));
  const extra = have.filter((p) => !want.some((w) => same(p, w)));
  if (missing.length === 0 && extra.length === 0) return;
  unchangedGuard(tx, 'Logical_Router', lr, 'policies');
  for (const w of missing) {
    const n = tx.named('policy');
    tx.push({ op: 'insert', table: 'Logical_Router_Policy', row: { priority: w.priority, match: w.match, action: w.action, nexthops: [...w.nexthops], external_ids: w.external_ids }, uuidName: n.name });
    tx.addRef('Logical_Router', lr._uuid, 'policies', n);
  }
  for (const p of extra) tx.removeRef('Logical_Router', lr._uuid, 'policies', new Uuid(p._uuid));
}

/** Removes a subnet's switch (its ports go with it), router port and policies. The caller checks no pod uses it. */
export function deleteSubnetOps(tx: Tx, cache: DbCache, ctx: NbContext, subnet: string): void {
  const lr = named(cache, 'Logical_Router', ctx.router);
  for (const ls of allRows(cache, 'Logical_Switch')) {
    if (str(ls, 'name') === subnet) tx.push({ op: 'delete', table: 'Logical_Switch', where: [['_uuid', '==', new Uuid(ls._uuid)]] });
  }
  if (lr === undefined) return;
  const lrp = named(cache, 'Logical_Router_Port', routerPortName(ctx.router, subnet));
  if (lrp !== undefined && holds(lr, 'ports', lrp._uuid)) tx.removeRef('Logical_Router', lr._uuid, 'ports', new Uuid(lrp._uuid));
  for (const p of referenced(cache, lr, 'policies', 'Logical_Router_Policy')) {
    if (strMap(p, 'external_ids')['subnet'] === subnet) tx.removeRef('Logical_Router', lr._uuid, 'policies', new Uuid(p._uuid));
  }
}

/** Kube-OVN's addresses string: `"<mac> <ip> [<ip6>]"`. */
export function portAddresses(mac: string, ips: readonly string[]): string {
  return [mac, ...ips].join(' ');
}

function podPortRow(spec: PodPortSpec) {
  return {
    name: podPortName(spec.pod, spec.namespace),
    addresses: [portAddresses(spec.mac, spec.ips)],
    external_ids: vendor({ ls: spec.subnet, pod: `${spec.namespace}/${spec.pod}` }),
  };
}

/** Switches other than `except` that list the port `uuid`. */
function otherHolders(cache: DbCache, uuid: string, except: Row | undefined): Row[] {
  return [...allRows(cache, 'Logical_Switch')].filter((ls) => ls !== except && holds(ls, 'ports', uuid));
}

/** A switch port in `switchName` with the given row; inserted with the switch `ports` mutate in one transaction, or repaired column by column. */
function ensureSwitchPort(tx: Tx, cache: DbCache, switchName: string, row: { name: string; addresses: string[]; external_ids: Record<string, string> }): BuildProblem | Uuid | NamedUuid {
  const ls = named(cache, 'Logical_Switch', switchName);
  if (ls === undefined) return { problem: 'NoSwitch', detail: `logical switch ${switchName} does not exist yet` };
  const have = named(cache, 'Logical_Switch_Port', row.name);
  if (have === undefined) {
    const n = tx.named('lsp');
    tx.push({ op: 'insert', table: 'Logical_Switch_Port', row, uuidName: n.name });
    tx.addRef('Logical_Switch', ls._uuid, 'ports', n);
    return n;
  }
  updateIfDrifted(tx, 'Logical_Switch_Port', have, { addresses: row.addresses, type: '' }, { external_ids: row.external_ids });
  if (!holds(ls, 'ports', have._uuid)) tx.addRef('Logical_Switch', ls._uuid, 'ports', new Uuid(have._uuid));
  for (const other of otherHolders(cache, have._uuid, ls)) tx.removeRef('Logical_Switch', other._uuid, 'ports', new Uuid(have._uuid));
  return new Uuid(have._uuid);
}

/** Creates port group `name` holding `members`, or adds the missing members; repairs our external_ids. */
function ensurePortGroup(tx: Tx, cache: DbCache, name: string, external_ids: Record<string, string>, members: readonly (Uuid | NamedUuid)[]): void {
  const pg = named(cache, 'Port_Group', name);
  if (pg === undefined) {
    // Port_Group names are indexed: one insert per transaction, which later requests in the same
    // batch add their members to. A concurrent transaction's insert fails on the index, and the
    // batcher rebuilds it from the cache, which then holds the group.
    const { row, pushed } = tx.insertUnique('Port_Group', name, { name, external_ids, ports: [...members] });
    if (!pushed) (row['ports'] as (Uuid | NamedUuid)[]).push(...members);
    return;
  }
  const have = strMap(pg, 'external_ids');
  if (Object.entries(external_ids).some(([k, v]) => have[k] !== v)) {
    tx.push({ op: 'update', table: 'Port_Group', where: [['_uuid', '==', new Uuid(pg._uuid)]], row: { external_ids: { ...have, ...external_ids } } });
  }
  for (const m of members) if (m instanceof NamedUuid || !holds(pg, 'ports', m.uuid)) tx.addRef('Port_Group', pg._uuid, 'ports', m);
}

/** A pod's port joins `<subnet>.<node>`, the group its node's 29000 policy reroutes by. */
function joinSubnetNodeGroup(tx: Tx, cache: DbCache, port: Uuid | NamedUuid, subnet: string, node: string): void {
  ensurePortGroup(tx, cache, subnetNodePortGroupName(subnet, node), vendor({ subnet, node, np: '' }), [port]);
}

/** The pod's port; with `spec.node` also its `<subnet>.<node>` membership, in the same transaction (a new port by its named uuid). */
export function ensurePodPortOps(tx: Tx, cache: DbCache, spec: PodPortSpec): BuildProblem | undefined {
  const r = ensureSwitchPort(tx, cache, spec.subnet, podPortRow(spec));
  if (isProblem(r)) return r;
  if (spec.node !== undefined && spec.node !== '') joinSubnetNodeGroup(tx, cache, r, spec.subnet, spec.node);
  return undefined;
}

/** Removes a port by name from every switch that lists it (the unreferenced port row is then collected by the server). */
export function deleteSwitchPortOps(tx: Tx, cache: DbCache, portName: string): void {
  const have = named(cache, 'Logical_Switch_Port', portName);
  if (have === undefined) return;
  for (const ls of otherHolders(cache, have._uuid, undefined)) tx.removeRef('Logical_Switch', ls._uuid, 'ports', new Uuid(have._uuid));
}

export { ensurePolicies, ensurePortGroup, ensureSwitchPort, joinSubnetNodeGroup, nodePortName, router, vendor };
export type { PolicySpec };
