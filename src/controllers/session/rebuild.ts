/**
 * The term's first step: rebuild the IPAM from a fresh quorum list (the cache may lag behind
 * the previous leader's last writes). Conflicts are reported as Events and log lines.
 */
import { RESOURCES } from '../../kube/index.js';
import type { KubeObject, Resource } from '../../kube/index.js';
import { subnetLabel } from '../../telemetry/labels.js';
import { EVENT_REASONS } from '../constants.js';
import type { ControllerContext, IpObject } from '../context.js';
import type { Pod } from '../pod/rules.js';
import type { SubnetObject } from '../subnet/rules.js';
import { rebuildIpam } from './rebuild-ipam.js';
import { retryUntilAborted } from './retry.js';

/** Page size of the rebuild lists: large pages keep 10k pods to a few requests. */
const REBUILD_PAGE = 5000;

type RebuildContext = Pick<ControllerContext, 'client' | 'clock' | 'logger' | 'events' | 'term' | 'instruments'>;

/** A quorum list (no resourceVersion) in pages; continue tokens keep one consistent snapshot. */
async function listAll<T extends KubeObject>(ctx: RebuildContext, resource: Resource, signal: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  let cont: string | undefined;
  do {
    const page = await ctx.client.list<T>(resource, { limit: REBUILD_PAGE, ...(cont === undefined ? {} : { continue: cont }), signal });
    items.push(...page.items);
    cont = page.continue;
  } while (cont !== undefined);
  return items;
}

/** Rebuilds `ctx.term.ipam`, retrying the lists until they succeed; false when the term ended first. */
export async function rebuildTerm(ctx: RebuildContext, signal: AbortSignal): Promise<boolean> {
  const { clock, logger } = ctx;
  const started = clock.now();
  const lists = await retryUntilAborted(
    'IPAM rebuild list',
    () => Promise.all([listAll<SubnetObject>(ctx, RESOURCES.subnets, signal), listAll<IpObject>(ctx, RESOURCES.ips, signal), listAll<Pod>(ctx, RESOURCES.pods, signal)]),
    signal,
    ctx,
  );
  if (lists === undefined) return false;
  const [subnets, ips, pods] = lists;
  const report = rebuildIpam(ctx.term.ipam, { subnets, ips, pods, nowMs: clock.now() });
  for (const c of report.conflicts) {
    // Reported three ways, never resolved by freeing or re-giving either claim (DESIGN §7a).
    logger.error({ pod: c.key, subnet: c.subnet.slice(0, 253), reason: c.reason }, `address claim not restored: ${c.message}`);
    ctx.events.record(RESOURCES.pods, c.pod, 'Warning', EVENT_REASONS.restoreConflict, `${c.reason}: ${c.message}; the address stays with its holder`);
    ctx.instruments.ipamConflicts.add(1, { subnet_name: subnetLabel(c.subnet, (n) => ctx.term.ipam.subnet(n) !== undefined) });
  }
  logger.info({ subnets: report.subnets, restored: report.restored, conflicts: report.conflicts.length, ms: clock.now() - started }, 'IPAM rebuilt');
  return true;
}
