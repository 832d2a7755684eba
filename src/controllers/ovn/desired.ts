/**
 * What the northbound should hold, read from the caches and the term's IPAM (pure over them):
 * the desired state for drift repair and the start-up reconcile, and the owners for GC.
 */
import type { Desired, Owners } from '../../ovn/index.js';
import { formatSubnetSpec } from '../../ipam/index.js';
import type { SubnetInfo } from '../../ipam/index.js';
import type { ControllerContext } from '../context.js';
import { nodeSpecOf } from '../node/spec-of.js';
import { nodeKey } from '../node/rules.js';
import { isHostNetwork, isPodAlive, podKey } from '../pod/rules.js';
import type { Pod } from '../pod/rules.js';
import { podPortSpecOf } from './pod-network.js';

type DesiredContext = Pick<ControllerContext, 'caches' | 'term' | 'config' | 'clock'>;

/** A served subnet as the NB model takes it: CIDRs and gateways paired by family. */
export function subnetSpecOf(s: SubnetInfo) {
  return { name: s.name, cidrs: s.cidrBlock.split(','), gateways: s.gateway.split(',') };
}

/** Served subnets, the node switch first (its router port carries the default routes' next hop). */
export function subnetSpecs(ctx: Pick<ControllerContext, 'term' | 'config'>) {
  const join = ctx.config.ovn.nodeSwitch;
  const all = ctx.term.ipam.subnets().map(subnetSpecOf);
  return [...all.filter((s) => s.name === join), ...all.filter((s) => s.name !== join)];
}

function livePods(ctx: DesiredContext): Pod[] {
  const now = ctx.clock.now();
  return ctx.caches.pods.list().filter((p) => !isHostNetwork(p) && isPodAlive(p, now));
}

export function desiredNorthbound(ctx: DesiredContext): Desired {
  const join = ctx.config.ovn.nodeSwitch;
  const pods = [];
  // A scheduled pod's spec names its node, so its port's repair includes the `<subnet>.<node>`
  // membership, as the pod flow's own request does (DESIGN §10).
  for (const pod of livePods(ctx)) {
    const key = podKey(pod);
    const held = ctx.term.ipam.get(key);
    if (held !== undefined) pods.push(podPortSpecOf(key, pod, held));
  }
  const nodes = [];
  for (const node of ctx.caches.nodes.list()) {
    const held = ctx.term.ipam.get(nodeKey(node.metadata.name ?? ''), join);
    if (held !== undefined) nodes.push(nodeSpecOf(ctx, node, held));
  }
  return { subnets: subnetSpecs(ctx), pods, nodes };
}

/** Everything in Kubernetes that may own a northbound row (a superset: GC must never remove a live object's row). */
export function northboundOwners(ctx: DesiredContext): Owners {
  const podPorts = new Set(livePods(ctx).map((p) => `${p.metadata.name ?? ''}.${p.metadata.namespace ?? ''}`));
  const nodes = new Set(ctx.caches.nodes.list().map((n) => n.metadata.name ?? ''));
  const subnets = new Set([...ctx.caches.subnets.list().map((s) => s.metadata.name ?? ''), ...ctx.term.ipam.subnets().map((s) => s.name)]);
  return { podPorts, nodes, subnets };
}

/**
 * The node switch's gateways, v4 first: `--node-switch-gateway`, else the first address of each
 * `--node-switch-cidr` (the cluster router's default routes point there; the NB model does no
 * address math). Config validated both, so the formatting cannot fail; an empty list if it did.
 */
export function nodeSwitchGateways(ovn: ControllerContext['config']['ovn']): string[] {
  const formatted = formatSubnetSpec({ name: ovn.nodeSwitch, cidrBlock: ovn.nodeSwitchCidr, gateway: ovn.nodeSwitchGateway, excludeIps: [] });
  return formatted.ok ? formatted.gateway.split(',') : [];
}
