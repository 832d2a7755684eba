/**
 * The default subnet (`--default-cidr`, `ovn-default`) is created when absent, as Kube-OVN's
 * `InitDefaultLogicalSwitch` does, once per term after the workers run; the subnet reconciler
 * then defaults, validates and serves it like any other.
 */
import { isAlreadyExists, RESOURCES } from '../../kube/index.js';
import type { KubeObject } from '../../kube/index.js';
import type { ControllerContext } from '../context.js';
import { retryUntilAborted } from '../session/retry.js';
import { DEFAULT_PROVIDER, protocolOf } from './rules.js';

export async function ensureDefaultSubnet(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
  const { client, logger } = ctx;
  const d = ctx.config.defaultSubnet;
  if (ctx.caches.subnets.get(d.name) !== undefined) return;
  const body: KubeObject = {
    metadata: { name: d.name },
    spec: { cidrBlock: d.cidr, ...(d.gateway === '' ? {} : { gateway: d.gateway }), excludeIps: [...d.excludeIps], protocol: protocolOf(d.cidr), provider: DEFAULT_PROVIDER, default: true },
  };
  const create = async (): Promise<void> => {
    try {
      await client.create(RESOURCES.subnets, body, { signal });
      logger.info({ subnet: d.name, cidr: d.cidr }, 'default subnet created');
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  };
  await retryUntilAborted(`creating default subnet ${d.name}`, create, signal, ctx);
}
