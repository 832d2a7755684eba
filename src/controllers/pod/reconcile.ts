/**
 * Pod reconciler: gives each live pod one allocation, written with one merge patch, and
 * releases it when the pod is gone or finished. Allocation is in memory first; when the
 * patch fails (even a timeout whose write may have landed) the reservation is kept and the
 * key retried, so the retry writes the same address (allocation is idempotent per key).
 */
import { isNotFound, RESOURCES } from '../../kube/index.js';
import type { Reconcile } from '../../kube/index.js';
import type { Allocation } from '../../ipam/index.js';
import type { Outcome } from '../../kube/controller/index.js';
import { EVENT_REASONS } from '../constants.js';
import { BIND_NAMESPACE_INDEX } from '../context.js';
import type { ControllerContext } from '../context.js';
import { ageOf } from '../objects.js';
import {
  allocationPatch,
  annotationsMatch,
  chooseSubnet,
  deletionDeadline,
  ipNameOfPodKey,
  isAllocated,
  isHostNetwork,
  isPodAlive,
  readAllocation,
  staticRequest,
} from './rules.js';
import type { Pod, SubnetCandidate } from './rules.js';
import { routePod } from './routed.js';

const DONE: Outcome = { kind: 'done' };
const REQUEUE: Outcome = { kind: 'requeue' };

/** A failure to report: an IPAM reason, or a subnet's validation reason (e.g. `CIDRInvalid`). */
type Failure = { readonly reason: string; readonly message: string };

export function createPodReconciler(ctx: ControllerContext): Reconcile {
  const { term, caches, enqueue, events, instruments, podNetwork } = ctx;
  const { ipam, pods: book } = term;

  function fail(key: string, pod: Pod, subnet: string, failure: Failure): Outcome {
    instruments.ipamAllocations.add(1, { subnet_name: subnet, result: 'error' });
    events.record(RESOURCES.pods, pod, 'Warning', EVENT_REASONS.acquireFailed, `${failure.reason}: ${failure.message}`);
    ctx.logger.debug({ pod: key, subnet, reason: failure.reason }, failure.message);
    book.parkUntilRoom(subnet, key);
    return REQUEUE;
  }

  /** Why `subnet` cannot serve allocations now, or undefined when it can. */
  function unavailable(subnet: string): Failure | undefined {
    const obj = caches.subnets.get(subnet);
    if (obj === undefined) return { reason: 'SubnetNotFound', message: `subnet ${subnet} does not exist` };
    if (obj.metadata.deletionTimestamp !== undefined) return { reason: 'SubnetNotFound', message: `subnet ${subnet} is being deleted` };
    if (ipam.subnet(subnet) !== undefined) return undefined;
    const validated = obj.status?.conditions?.find((c) => c.type === 'Validated' && c.status === 'False');
    if (validated !== undefined) return { reason: validated.reason, message: `subnet ${subnet} is not valid: ${validated.message}` };
    return { reason: 'SubnetNotFound', message: `subnet ${subnet} is not ready yet` };
  }

  /** Releases every allocation of `key` (its port first); `pod` is set when the pod still exists (finished). */
  async function release(key: string, pod: Pod | undefined, signal: AbortSignal): Promise<Outcome> {
    if (ipam.get(key) !== undefined) await podNetwork.removePort(key, signal);
    for (let held = ipam.get(key); held !== undefined; held = ipam.get(key)) {
      ipam.release(key, held.subnet);
      instruments.ipamReleases.add(1, { subnet_name: held.subnet, result: 'success' });
      enqueue.subnetStatus(held.subnet);
      book.wake(held.subnet);
      if (pod !== undefined) events.record(RESOURCES.pods, pod, 'Normal', EVENT_REASONS.released, `released ${held.ip} in subnet ${held.subnet}`);
    }
    book.forget(key);
    enqueue.ip(ipNameOfPodKey(key));
    return DONE;
  }

  function committed(key: string, subnet: string): void {
    book.markCommitted(key);
    enqueue.ip(ipNameOfPodKey(key));
    enqueue.subnetStatus(subnet);
  }

  /** Keeps (or restores) the allocation the annotations record; undefined when they are unusable. */
  async function keepAnnotated(key: string, pod: Pod, signal: AbortSignal): Promise<Outcome | undefined> {
    const recorded = readAllocation(pod);
    if (recorded === undefined) return undefined;
    const held = ipam.get(key, recorded.subnet);
    if (held !== undefined && held.ip === recorded.ip && (recorded.addresses.mac === undefined || held.mac === recorded.addresses.mac)) {
      // Also when committed: the IP object follows pod changes such as scheduling (nodeName).
      if (book.isCommitted(key)) enqueue.ip(ipNameOfPodKey(key));
      else {
        // First sight of this pod in the term (after a rebuild): its port may be missing.
        await podNetwork.ensurePort(key, pod, held, signal);
        committed(key, held.subnet);
      }
      return DONE;
    }
    // The annotations are what the CNI configured: they win over any other reservation of the key.
    for (let other = ipam.get(key); other !== undefined && other.subnet !== recorded.subnet; other = ipam.get(key)) {
      ipam.release(key, other.subnet);
      enqueue.subnetStatus(other.subnet);
    }
    if (ipam.subnet(recorded.subnet) === undefined) {
      return fail(key, pod, recorded.subnet, unavailable(recorded.subnet) ?? { reason: 'SubnetNotFound', message: `subnet ${recorded.subnet} is not served` });
    }
    const result = ipam.restore(key, recorded.subnet, recorded.addresses);
    if (!result.ok) return fail(key, pod, recorded.subnet, result);
    await podNetwork.ensurePort(key, pod, result, signal);
    committed(key, result.subnet);
    return DONE;
  }

  function candidates(namespace: string): SubnetCandidate[] {
    const bound = caches.subnets.byIndex(BIND_NAMESPACE_INDEX, namespace);
    return bound.map((s) => ({
      ...ageOf(s),
      namespaces: s.spec?.namespaces ?? [],
      // Probing free space flushes the IPAM's fast path, so only do it when there is a choice.
      hasFree: bound.length > 1 && hasFree(s.metadata.name ?? ''),
    }));
  }

  function hasFree(subnet: string): boolean {
    const stats = ipam.stats(subnet);
    if (stats === undefined) return false;
    return [stats.v4, stats.v6].every((f) => f === undefined || f.freeRanges + f.releasedRanges > 0);
  }

  async function allocate(key: string, pod: Pod, signal: AbortSignal): Promise<Outcome> {
    const subnet = chooseSubnet(pod, candidates(pod.metadata.namespace ?? ''), ctx.config.defaultSubnet.name);
    const prior = ipam.get(key);
    if (prior !== undefined && prior.subnet !== subnet) {
      ipam.release(key, prior.subnet);
      enqueue.subnetStatus(prior.subnet);
    }
    const blocked = unavailable(subnet);
    if (blocked !== undefined) return fail(key, pod, subnet, blocked);
    const result = ipam.allocate(key, subnet, staticRequest(pod));
    if (!result.ok) return fail(key, pod, subnet, result);
    if (prior?.ip !== result.ip || prior.subnet !== result.subnet) {
      instruments.ipamAllocations.add(1, { subnet_name: subnet, result: 'success' });
      enqueue.subnetStatus(subnet);
    }
    // The network step sits between the reservation and the record of it (DESIGN §10).
    await podNetwork.ensurePort(key, pod, result, signal);
    return write(key, pod, result, signal);
  }

  async function write(key: string, pod: Pod, a: Allocation, signal: AbortSignal): Promise<Outcome> {
    if (annotationsMatch(pod, a)) {
      committed(key, a.subnet);
      return DONE;
    }
    // A term that ended must not write: the next leader may already have rebuilt without this.
    if (signal.aborted) return DONE;
    try {
      await ctx.client.mergePatch(RESOURCES.pods, pod.metadata.name ?? '', allocationPatch(a), { namespace: pod.metadata.namespace ?? '', signal });
    } catch (err) {
      if (isNotFound(err)) return release(key, undefined, signal);
      throw new Error(`pod ${key}: writing allocation ${a.ip} in subnet ${a.subnet} failed (reservation kept)`, { cause: err });
    }
    committed(key, a.subnet);
    events.record(RESOURCES.pods, pod, 'Normal', EVENT_REASONS.allocated, `allocated ${a.ip} (mac ${a.mac}) in subnet ${a.subnet}`);
    return DONE;
  }

  return async (key, signal) => {
    const pod = caches.pods.get(key);
    if (pod === undefined) return release(key, undefined, signal);
    if (isHostNetwork(pod)) return DONE;
    const now = ctx.clock.now();
    if (!isPodAlive(pod, now)) return release(key, pod, signal);
    const outcome = (isAllocated(pod) ? await keepAnnotated(key, pod, signal) : undefined) ?? (await allocate(key, pod, signal));
    if (outcome.kind === 'done') await routePod(ctx, key, pod, signal);
    const deadline = deletionDeadline(pod);
    // A deleting pod stops being alive when its grace period passes: look again then.
    if (deadline !== undefined && outcome.kind === 'done') return { kind: 'requeueAfter', ms: Math.max(0, deadline - now) + 1000 };
    return outcome;
  };
}
