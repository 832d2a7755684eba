/**
 * The start of a term with northbound on, before Ready: router, the node switch, every served
 * subnet, every node holding a join address, then a repair of everything the caches say should
 * exist (ports of pods restored by the rebuild included). Retried until it succeeds or the term ends.
 */
import type { NbNetwork } from '../../ovn/index.js';
import type { ControllerContext } from '../context.js';
import { nodeKey } from '../node/rules.js';
import { nodeSpecOf } from '../node/spec-of.js';
import { retryUntilAborted } from '../session/retry.js';
import { desiredNorthbound, subnetSpecs } from './desired.js';
import { throwUnlessOk } from './results.js';

async function reconcileOnce(ctx: ControllerContext, nb: NbNetwork): Promise<{ drift: number }> {
  throwUnlessOk(await nb.ensureRouter(), `router ${ctx.config.ovn.clusterRouter}`);
  const [first, ...rest] = subnetSpecs(ctx);
  if (first !== undefined) throwUnlessOk(await nb.ensureSubnet(first), `subnet ${first.name}`);
  const subnets = await Promise.all(rest.map(async (s) => [s.name, await nb.ensureSubnet(s)] as const));
  for (const [name, r] of subnets) throwUnlessOk(r, `subnet ${name}`);
  const join = ctx.config.ovn.nodeSwitch;
  const nodes = ctx.caches.nodes.list().flatMap((n) => {
    const held = ctx.term.ipam.get(nodeKey(n.metadata.name ?? ''), join);
    return held === undefined ? [] : [nodeSpecOf(ctx, n, held)];
  });
  for (const [i, r] of (await Promise.all(nodes.map((n) => nb.ensureNode(n)))).entries()) throwUnlessOk(r, `node ${nodes[i]?.node ?? ''}`);
  const repaired = await nb.repair(desiredNorthbound(ctx));
  if (repaired.failed > 0) throw new Error(`${repaired.failed} northbound repair request(s) failed`);
  return { drift: repaired.drift.length };
}

/** True once the northbound matches the caches (or is off); false when the term ended first. */
export async function reconcileNorthbound(ctx: ControllerContext, signal: AbortSignal): Promise<boolean> {
  const nb = ctx.nb;
  if (nb === undefined) return true;
  const started = ctx.clock.now();
  const done = await retryUntilAborted('northbound start-up reconcile', () => reconcileOnce(ctx, nb), signal, ctx);
  if (done === undefined) return false;
  ctx.logger.info({ ms: ctx.clock.now() - started, subnets: ctx.term.ipam.subnets().length, nodes: ctx.caches.nodes.list().length, repaired: done.drift }, 'northbound reconciled');
  return true;
}
