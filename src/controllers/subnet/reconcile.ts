/**
 * Subnet reconciler: defaulting written back to the spec, the finalizer, validation into the
 * IPAM (invalid specs and refused changes become conditions and Events, never exceptions),
 * status address fields, and deletion that waits until no address is in use.
 */
import { compileSubnetSpec } from '../../ipam/index.js';
import type { RefusedClaim } from '../../ipam/index.js';
import { isNotFound, RESOURCES } from '../../kube/index.js';
import type { Reconcile } from '../../kube/index.js';
import type { Outcome } from '../../kube/controller/index.js';
import { EVENT_REASONS, FINALIZER } from '../constants.js';
import type { ControllerContext } from '../context.js';
import { subnetSpecOf } from '../ovn/desired.js';
import { throwUnlessOk } from '../ovn/results.js';
import { ageOf, finalizerRemovalPatch, ipamSpecOf } from '../objects.js';
import {
  defaultingPatch,
  deletingConditions,
  healthyConditions,
  invalidConditions,
  nextConditions,
  overlapBlockers,
  refusedConditions,
  statusPatch,
  usageStatus,
} from './rules.js';
import type { OverlapPeer, SubnetHealth, SubnetObject, SubnetStatus } from './rules.js';

const DONE: Outcome = { kind: 'done' };

export function createSubnetReconciler(ctx: ControllerContext): Reconcile {
  const { caches, client, term, events } = ctx;
  const { ipam } = term;

  const inUse = (name: string): number => ipam.stats(name)?.allocations ?? 0;

  function peers(): OverlapPeer[] {
    const out: OverlapPeer[] = [];
    for (const s of caches.subnets.list()) {
      const name = s.metadata.name ?? '';
      const served = ipam.subnet(name);
      const compiled = compileSubnetSpec(ipamSpecOf(s));
      const cidrBlock = served?.cidrBlock ?? (compiled.ok ? compiled.subnet.cidrBlock : undefined);
      if (cidrBlock !== undefined) out.push({ ...ageOf(s), cidrBlock, accepted: served !== undefined });
    }
    return out;
  }

  /** Applies the spec to the IPAM; returns the conditions it earns. */
  function admit(s: SubnetObject): SubnetHealth {
    const name = s.metadata.name ?? '';
    const spec = ipamSpecOf(s);
    const served = ipam.subnet(name);
    const used = inUse(name);
    const refuse = (reason: string, message: string): SubnetHealth => {
      if (served !== undefined && used > 0) return refusedConditions(reason, `${message}; still serving ${served.cidrBlock} with ${used} address(es) in use`);
      if (served !== undefined) ipam.deleteSubnet(name);
      return invalidConditions(reason, message);
    };
    const compiled = compileSubnetSpec(spec);
    if (!compiled.ok) return refuse(compiled.reason, compiled.message);
    const cidrBlock = compiled.subnet.cidrBlock;
    if (served !== undefined && used > 0 && served.cidrBlock !== cidrBlock) {
      return refusedConditions('CIDRChangeRefused', `cidrBlock change from ${served.cidrBlock} to ${cidrBlock} refused while ${used} address(es) are in use; release them first`);
    }
    const self = { ...ageOf(s), cidrBlock, accepted: served !== undefined };
    const blockers = overlapBlockers(self, peers());
    if (blockers.length > 0) return refuse('CIDROverlap', `cidrBlock ${cidrBlock} overlaps subnet ${blockers.join(', ')}`);
    const result = ipam.upsertSubnet(spec);
    if (!result.ok) return refuse(result.reason, result.message);
    if (result.refused !== undefined) reportRefused(s, result.refused);
    if (result.changed) term.pods.wake();
    return healthyConditions();
  }

  /**
   * Claims held while this subnet was not served (its object vanished, or a rebuild saw pods
   * before it) that the returning spec cannot take back: they stay held, detached, and are
   * reported, never freed (DESIGN §7a).
   */
  function reportRefused(s: SubnetObject, refused: readonly RefusedClaim[]): void {
    const name = s.metadata.name ?? '';
    for (const r of refused) {
      ctx.instruments.ipamConflicts.add(1, { subnet_name: name });
      ctx.logger.error({ subnet: name, pod: r.key, ip: r.ip, reason: r.reason }, `held address not re-admitted: ${r.message}`);
    }
    const shown = refused.slice(0, 5).map((r) => `${r.key} ${r.ip} (${r.reason})`).join(', ');
    events.record(RESOURCES.subnets, s, 'Warning', EVENT_REASONS.restoreConflict, `${refused.length} address(es) held by live pods do not fit this subnet and stay held outside it: ${shown}${refused.length > 5 ? ', …' : ''}`);
  }

  async function writeStatus(s: SubnetObject, health: SubnetHealth, signal: AbortSignal): Promise<void> {
    const name = s.metadata.name ?? '';
    const usage = ipam.usage(name);
    const conditions = nextConditions(s.status?.conditions, health, s.metadata.generation ?? 0, ctx.clock.now());
    const desired: SubnetStatus = { ...(usage === undefined ? {} : usageStatus(usage)), conditions };
    const patch = statusPatch(s.status, desired);
    if (patch === undefined || signal.aborted) return;
    await client.mergePatch(RESOURCES.subnets, name, { status: patch }, { subresource: 'status', signal, discard: true });
    if (patch.conditions !== undefined) announce(s, health);
  }

  /** One Event per change of verdict (the recorder also bounds repeats). */
  function announce(s: SubnetObject, health: SubnetHealth): void {
    const bad = [health.Validated, health.Ready].find((c) => c.status === 'False');
    if (bad !== undefined) events.record(RESOURCES.subnets, s, 'Warning', bad.reason, bad.message);
    else if (!(s.status?.conditions ?? []).some((c) => c.type === 'Validated' && c.status === 'True')) {
      events.record(RESOURCES.subnets, s, 'Normal', EVENT_REASONS.subnetValid, `subnet ${s.metadata.name ?? ''} serves ${ipam.subnet(s.metadata.name ?? '')?.cidrBlock ?? ''}`);
    }
  }

  async function finalize(s: SubnetObject, signal: AbortSignal): Promise<Outcome> {
    const name = s.metadata.name ?? '';
    const used = inUse(name);
    if (used > 0) {
      // Releases enqueue the subnet again, so no timer is needed here.
      await writeStatus(s, deletingConditions(used, name), signal);
      events.record(RESOURCES.subnets, s, 'Warning', EVENT_REASONS.subnetInUse, `deletion waits for ${used} address(es) in use to be released`);
      return DONE;
    }
    // Its switch, router port and policies go before the finalizer, so nothing outlives the object.
    if (ctx.nb !== undefined) throwUnlessOk(await ctx.nb.deleteSubnet(name), `subnet ${name}: removing its switch`);
    ipam.deleteSubnet(name);
    const unfinalize = finalizerRemovalPatch(s);
    if (unfinalize === undefined || signal.aborted) return DONE;
    try {
      await client.mergePatch(RESOURCES.subnets, name, unfinalize, { signal, discard: true });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return DONE;
  }

  /** With OVN on, the switch and router patch of what the IPAM serves (a refused change keeps the old CIDR). */
  async function ensureSwitch(name: string): Promise<void> {
    const served = ipam.subnet(name);
    if (ctx.nb === undefined || served === undefined) return;
    throwUnlessOk(await ctx.nb.ensureSubnet(subnetSpecOf(served)), `subnet ${name}: switch and router port`);
    // Pods that found no switch for this subnet wait parked on it (pod reconciler).
    term.pods.wake(name);
  }

  /** Writes defaults and the finalizer in one patch; returns the updated object. */
  async function defaults(s: SubnetObject, signal: AbortSignal): Promise<SubnetObject> {
    const name = s.metadata.name ?? '';
    const spec = defaultingPatch(name, s.spec ?? {});
    const finalizers = s.metadata.finalizers ?? [];
    const needsFinalizer = !finalizers.includes(FINALIZER);
    if (spec === undefined && !needsFinalizer) return s;
    const metadata = { resourceVersion: s.metadata.resourceVersion, ...(needsFinalizer ? { finalizers: [...finalizers, FINALIZER] } : {}) };
    return client.mergePatch<SubnetObject>(RESOURCES.subnets, name, { metadata, ...(spec === undefined ? {} : { spec }) }, { signal });
  }

  return async (name, signal) => {
    const cached = caches.subnets.get(name);
    if (cached === undefined) {
      // Gone (deleted, its finalizer removed by force) or not in a lagging cache yet: stop
      // serving it, but its allocations stay held, detached, until their pods release them
      // or the subnet returns (DESIGN §7a).
      ipam.deleteSubnet(name);
      return DONE;
    }
    if (signal.aborted) return DONE;
    if (cached.metadata.deletionTimestamp !== undefined) return finalize(cached, signal);
    const s = await defaults(cached, signal);
    const health = admit(s);
    await ensureSwitch(name);
    await writeStatus(s, health, signal);
    return DONE;
  };
}
