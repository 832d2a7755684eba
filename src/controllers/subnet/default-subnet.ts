/**
 * Subnets created when absent, once per term after the workers run, as Kube-OVN's `InitOVN`
 * does: with OVN northbound on, the node switch (`--node-switch`, `join`) that gives each node
 * its address; always the default subnet (`--default-cidr`, `ovn-default`). The subnet
 * reconciler then defaults, validates and serves them like any other.
 */
import { isAlreadyExists, RESOURCES } from '../../kube/index.js';
import type { KubeObject } from '../../kube/index.js';
import type { ControllerContext } from '../context.js';
import { retryUntilAborted } from '../session/retry.js';
import { DEFAULT_PROVIDER, protocolOf } from './rules.js';

async function createIfAbsent(ctx: ControllerContext, body: KubeObject, what: string, signal: AbortSignal): Promise<void> {
  const name = body.metadata.name ?? '';
  if (ctx.caches.subnets.get(name) !== undefined) return;
  const create = async (): Promise<void> => {
    try {
      await ctx.client.create(RESOURCES.subnets, body, { signal });
      ctx.logger.info({ subnet: name, cidr: (body['spec'] as { cidrBlock?: string }).cidrBlock }, `${what} created`);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  };
  await retryUntilAborted(`creating ${what} ${name}`, create, signal, ctx);
}

/** The `join` Subnet (Kube-OVN's `initNodeSwitch`: vpc = the cluster router, gateway excluded). */
export function joinSubnetObject(ovn: ControllerContext['config']['ovn']): KubeObject {
  const gateway = ovn.nodeSwitchGateway;
  return {
    metadata: { name: ovn.nodeSwitch },
    spec: { cidrBlock: ovn.nodeSwitchCidr, ...(gateway === '' ? {} : { gateway, excludeIps: gateway.split(',') }), protocol: protocolOf(ovn.nodeSwitchCidr), provider: DEFAULT_PROVIDER, vpc: ovn.clusterRouter, default: false },
  };
}

export async function ensureDefaultSubnet(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
  if (ctx.nb !== undefined) await createIfAbsent(ctx, joinSubnetObject(ctx.config.ovn), 'node switch subnet', signal);
  const d = ctx.config.defaultSubnet;
  const body: KubeObject = {
    metadata: { name: d.name },
    spec: { cidrBlock: d.cidr, ...(d.gateway === '' ? {} : { gateway: d.gateway }), excludeIps: [...d.excludeIps], protocol: protocolOf(d.cidr), provider: DEFAULT_PROVIDER, default: true },
  };
  await createIfAbsent(ctx, body, 'default subnet', signal);
}
