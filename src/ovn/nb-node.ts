import type { DbCache, Row } from './cache.js';
import { allRows } from './cache.js';
import { ensurePolicies, ensurePortGroup, ensureSwitchPort, isProblem, joinSubnetNodeGroup, portAddresses, router, vendor } from './nb-model.js';
import type { BuildProblem, NbContext, NodeSpec, PolicySpec } from './nb-model.js';
import { ipFamily, nodePortGroupName, nodePortName, PRIORITY, subnetNodePortGroupName, VENDOR } from './nb-names.js';
import { holds, named, str, strMap } from './nb-rows.js';
import type { Tx } from './nb-tx.js';
import { Uuid } from './values.js';

function joinIpFor(spec: NodeSpec, family: 'ip4' | 'ip6'): string | undefined {
  return spec.joinIps.find((ip) => ipFamily(ip) === family);
}

function nodePolicies(spec: NodeSpec): PolicySpec[] {
  const out: PolicySpec[] = [];
  for (const ip of spec.internalIps) {
    const hop = joinIpFor(spec, ipFamily(ip));
    if (hop === undefined) continue;
    out.push({ priority: PRIORITY.nodeReroute, match: `${ipFamily(ip)}.dst == ${ip}`, action: 'reroute', nexthops: [hop], external_ids: vendor({ node: spec.node, 'address-family': ipFamily(ip) === 'ip4' ? 'ipv4' : 'ipv6' }) });
  }
  for (const subnet of spec.subnets) {
    for (const hop of spec.joinIps) {
      const f = ipFamily(hop);
      const pg = subnetNodePortGroupName(subnet, spec.node);
      out.push({ priority: PRIORITY.subnetNodeReroute, match: `${f}.src == $${pg}_${f}`, action: 'reroute', nexthops: [hop], external_ids: vendor({ node: spec.node, subnet, 'address-family': f === 'ip4' ? 'ipv4' : 'ipv6' }) });
    }
  }
  return out;
}

const isNodePolicy = (node: string) => (p: Row) => {
  const ids = strMap(p, 'external_ids');
  const priority = Number(str(p, 'priority'));
  return ids['vendor'] === VENDOR && ids['node'] === node && (priority === PRIORITY.nodeReroute || priority === PRIORITY.subnetNodeReroute);
};

/** Port `node-<node>` in the node switch, port groups `node.<node>` and `<subnet>.<node>`, policies 30000 and 29000. */
export function ensureNodeOps(tx: Tx, cache: DbCache, ctx: NbContext, spec: NodeSpec): BuildProblem | undefined {
  const lr = router(cache, ctx);
  if (isProblem(lr)) return lr;
  const port = ensureSwitchPort(tx, cache, ctx.nodeSwitch, {
    name: nodePortName(spec.node),
    addresses: [portAddresses(spec.mac, spec.joinIps)],
    external_ids: vendor({ ls: ctx.nodeSwitch, node: spec.node }),
  });
  if (isProblem(port)) return port;
  ensurePortGroup(tx, cache, nodePortGroupName(spec.node), vendor({ node: spec.node, np: `node/${spec.node}` }), [port]);
  for (const subnet of spec.subnets) ensurePortGroup(tx, cache, subnetNodePortGroupName(subnet, spec.node), vendor({ subnet, node: spec.node, np: '' }), []);
  ensurePolicies(tx, cache, lr, nodePolicies(spec), isNodePolicy(spec.node));
  return undefined;
}

/** Everything `ensureNodeOps` made for `node`. */
export function deleteNodeOps(tx: Tx, cache: DbCache, ctx: NbContext, node: string): void {
  const port = named(cache, 'Logical_Switch_Port', nodePortName(node));
  if (port !== undefined) {
    for (const ls of allRows(cache, 'Logical_Switch')) if (holds(ls, 'ports', port._uuid)) tx.removeRef('Logical_Switch', ls._uuid, 'ports', new Uuid(port._uuid));
  }
  for (const pg of allRows(cache, 'Port_Group')) {
    const ids = strMap(pg, 'external_ids');
    if (ids['vendor'] === VENDOR && ids['node'] === node) tx.push({ op: 'delete', table: 'Port_Group', where: [['_uuid', '==', new Uuid(pg._uuid)]] });
  }
  const lr = named(cache, 'Logical_Router', ctx.router);
  if (lr !== undefined) ensurePolicies(tx, cache, lr, [], isNodePolicy(node));
}

/** A scheduled pod's port joins `<subnet>.<node>`, the group its node's 29000 policy reroutes by. */
export function setPortGroupsOps(tx: Tx, cache: DbCache, portName: string, subnet: string, node: string): BuildProblem | undefined {
  const port = named(cache, 'Logical_Switch_Port', portName);
  if (port === undefined) return { problem: 'NoPort', detail: `logical switch port ${portName} does not exist yet` };
  joinSubnetNodeGroup(tx, cache, new Uuid(port._uuid), subnet, node);
  return undefined;
}
