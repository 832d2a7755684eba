import type { Allocation } from '../../ipam/index.js';
import type { ControllerContext } from '../context.js';
import { internalIps } from './rules.js';
import type { NodeObject } from './rules.js';

/**
 * What `ensureNode` takes for `node` holding join address `a`. Its subnets are those whose pods
 * leave through it (Kube-OVN's distributed gateway): every Subnet object but the node switch and
 * ones being deleted, read from the cache so a subnet's arrival can re-ensure every node at once.
 */
export function nodeSpecOf(ctx: Pick<ControllerContext, 'config' | 'caches'>, node: NodeObject, a: Allocation) {
  const join = ctx.config.ovn.nodeSwitch;
  const subnets = ctx.caches.subnets.list().filter((s) => s.metadata.deletionTimestamp === undefined).map((s) => s.metadata.name ?? '').filter((s) => s !== '' && s !== join);
  return {
    node: node.metadata.name ?? '',
    joinIps: [a.v4, a.v6].filter((ip): ip is string => ip !== undefined),
    mac: a.mac,
    internalIps: internalIps(node),
    subnets: subnets.sort(),
  };
}
