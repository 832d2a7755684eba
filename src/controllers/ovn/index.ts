/**
 * The northbound upkeep of a term (DESIGN §10), as a reconciler with two keys: `inspect` repairs
 * drift column by column every `--inspect-interval`, `gc` collects orphaned vendor rows every
 * `--gc-interval`; each returns "requeue after its interval". Its `prepare` is the start-up
 * reconcile before Ready. A no-op while northbound is off.
 */
import { createRateLimitedLogger } from '../../log/index.js';
import type { Outcome } from '../../kube/controller/index.js';
import { CONTROLLER_NAMES } from '../constants.js';
import type { ControllerContext } from '../context.js';
import type { ReconcilerSpec } from '../spec.js';
import { desiredNorthbound, northboundOwners } from './desired.js';
import { reconcileNorthbound } from './startup.js';

export const OVN_KEYS = Object.freeze({ inspect: 'inspect', gc: 'gc' });

function createUpkeep(ctx: ControllerContext) {
  const { nb, config } = ctx;
  const limited = createRateLimitedLogger(ctx.logger);
  // The start-up reconcile just repaired everything: the first inspection waits one interval.
  let inspectedOnce = false;
  return async (key: string): Promise<Outcome> => {
    if (nb === undefined) return { kind: 'done' };
    if (key === OVN_KEYS.inspect && config.ovn.inspectIntervalMs > 0) {
      if (inspectedOnce) {
        const r = await nb.repair(desiredNorthbound(ctx));
        if (r.failed > 0) limited.log('warn', 'nb:inspect', { operation: 'inspect', failed: r.failed, drift: r.drift.length }, 'northbound drift repair incomplete; retrying next interval');
      }
      inspectedOnce = true;
      return { kind: 'requeueAfter', ms: config.ovn.inspectIntervalMs };
    }
    if (key === OVN_KEYS.gc && config.ovn.gcIntervalMs > 0) {
      const r = await nb.collectGarbage(northboundOwners(ctx));
      ctx.logger.debug({ removed: r.removed.length, suspects: r.suspects }, 'northbound GC pass');
      return { kind: 'requeueAfter', ms: config.ovn.gcIntervalMs };
    }
    return { kind: 'done' };
  };
}

export const ovnReconciler: ReconcilerSpec = {
  name: CONTROLLER_NAMES.ovn,
  watches: [],
  initialKeys: () => [OVN_KEYS.inspect, OVN_KEYS.gc],
  reconciler: createUpkeep,
  records: ['ovnDriftRepairs', 'ovnGcRemovals'],
  prepare: reconcileNorthbound,
};
