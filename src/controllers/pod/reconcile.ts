/**
 * Pod reconciler: gives each live pod one allocation and keeps its record true (DESIGN §7a).
 * Kube-OVN's order: IPAM reservation, then the network step (the logical switch port with OVN
 * on, in its node's port group when the pod is scheduled), then the `IP` object, then one merge
 * patch of the annotations (with `routed` when the port is in its group), so `allocated: "true"`
 * always has an `IP` object behind it. Once the pod holds an allocation it is the truth: edited
 * allocation annotations are written back with a Warning, the address is never released or moved
 * for them. A failed write keeps the reservation and retries, writing the same address.
 */
import { isNotFound, objectNameProblem, RESOURCES } from '../../kube/index.js';
import type { Reconcile, Slot } from '../../kube/index.js';
import type { Allocation } from '../../ipam/index.js';
import type { Outcome } from '../../kube/controller/index.js';
import { subnetLabel } from '../../telemetry/labels.js';
import { ANNOTATIONS, EVENT_REASONS, OVN_ANNOTATIONS } from '../constants.js';
import { BIND_NAMESPACE_INDEX } from '../context.js';
import type { ControllerContext } from '../context.js';
import { createIpRecord, desiredIp, ipObjectProblems } from '../ip/record.js';
import { ageOf } from '../objects.js';
import {
  chooseSubnet,
  deletionDeadline,
  differingAnnotations,
  ipNameOfPodKey,
  isAllocated,
  isHostNetwork,
  isPodAlive,
  readAllocation,
  recordAnnotations,
  staticRequest,
} from './rules.js';
import type { Pod, SubnetCandidate } from './rules.js';
import { routePod } from './routed.js';

const DONE: Outcome = { kind: 'done' };
const REQUEUE: Outcome = { kind: 'requeue' };
/** Done, and the allocation patch carried `routed`: compared by identity, so the routed step is skipped. */
const ROUTED: Outcome = { kind: 'done' };

/** A failure to report: an IPAM reason, or a subnet's validation reason (e.g. `CIDRInvalid`). */
type Failure = { readonly reason: string; readonly message: string };

export function createPodReconciler(ctx: ControllerContext): Reconcile {
  const { term, caches, enqueue, events, instruments, podNetwork, logger } = ctx;
  const { ipam, pods: book } = term;
  const record = createIpRecord(ctx);
  /** `subnet_name` from a closed set: a pod annotation must never become a series (issue 10 case 3). */
  const label = (subnet: string): string => subnetLabel(subnet, (n) => ipam.subnet(n) !== undefined);

  function fail(key: string, pod: Pod, subnet: string, failure: Failure): Outcome {
    instruments.ipamAllocations.add(1, { subnet_name: label(subnet), result: 'error' });
    events.record(RESOURCES.pods, pod, 'Warning', EVENT_REASONS.acquireFailed, `${failure.reason}: ${failure.message}`);
    logger.debug({ pod: key, subnet: subnet.slice(0, 253), reason: failure.reason }, failure.message);
    book.parkUntilRoom(subnet, key);
    return REQUEUE;
  }

  /** Why `subnet` cannot serve allocations now, or undefined when it can. */
  function unavailable(subnet: string): Failure | undefined {
    const shown = subnet.length > 64 ? `${subnet.slice(0, 64)}… (${subnet.length} characters)` : subnet;
    const obj = caches.subnets.get(subnet);
    if (obj === undefined) return { reason: 'SubnetNotFound', message: `subnet ${shown} does not exist` };
    if (obj.metadata.deletionTimestamp !== undefined) return { reason: 'SubnetNotFound', message: `subnet ${shown} is being deleted` };
    if (ipam.subnet(subnet) !== undefined) return undefined;
    const validated = obj.status?.conditions?.find((c) => c.type === 'Validated' && c.status === 'False');
    if (validated !== undefined) return { reason: validated.reason, message: `subnet ${shown} is not valid: ${validated.message}` };
    return { reason: 'SubnetNotFound', message: `subnet ${shown} is not ready yet` };
  }

  /** Releases every allocation of `key` (its port first); `pod` is set when the pod still exists (finished). */
  async function release(key: string, pod: Pod | undefined, signal: AbortSignal, slot: Slot): Promise<Outcome> {
    // The NB batcher coalesces ports of many pods: wait for it off the worker slot.
    if (ipam.get(key) !== undefined) await slot.whileWaiting(podNetwork.removePort(key, signal));
    for (let held = ipam.get(key); held !== undefined; held = ipam.get(key)) {
      const subnet_name = label(held.subnet);
      ipam.release(key, held.subnet);
      instruments.ipamReleases.add(1, { subnet_name, result: 'success' });
      enqueue.subnetStatus(held.subnet);
      book.wake(held.subnet);
      // No Event for a release, as Kube-OVN: an Event per pod would double the API writes.
      logger.debug({ pod: key, ip: held.ip, subnet: held.subnet, finished: pod !== undefined }, 'address released');
    }
    book.forget(key);
    enqueue.ip(ipNameOfPodKey(key));
    return DONE;
  }

  function committed(key: string, subnet: string): void {
    book.markCommitted(key);
    enqueue.subnetStatus(subnet);
  }

  /** The pod holds `held`: network step, IP object, annotations, in that order. Never releases. */
  async function keepHeld(key: string, pod: Pod, held: Allocation, signal: AbortSignal, slot: Slot): Promise<Outcome> {
    const name = ipNameOfPodKey(key);
    const problems = ipObjectProblems(name, pod, held);
    if (problems.fatal !== undefined) return refuse(key, pod, problems.fatal);
    for (const warning of problems.warnings) events.record(RESOURCES.pods, pod, 'Warning', EVENT_REASONS.objectLimit, warning);
    // First sight of this pod in the term (a new allocation, or after a rebuild): its port may be missing.
    const port = book.isCommitted(key) ? undefined : await slot.whileWaiting(podNetwork.ensurePort(key, pod, held, signal));
    if (signal.aborted) return DONE;
    if (port?.switchMissing === true) {
      // Its subnet's switch is programmed by the subnet's own step, which wakes the pods parked on
      // it; the requeue's backoff is the backstop. A wait, not a failure: no error, no Event.
      logger.debug({ pod: key, subnet: held.subnet.slice(0, 253) }, 'waiting for the subnet\'s logical switch');
      book.parkUntilRoom(held.subnet, key);
      return REQUEUE;
    }
    const written = await record.ensure(name, desiredIp(name, pod, held), signal);
    if (written.kind !== 'done') return written;
    return writeAnnotations(key, pod, held, signal, slot, port?.routed === true);
  }

  /**
   * One merge patch bringing the annotations to the held allocation; a Warning when they were
   * edited. `routed`: the port is in its node's group, so the same patch says so (DESIGN §10).
   */
  async function writeAnnotations(key: string, pod: Pod, held: Allocation, signal: AbortSignal, slot: Slot, routed: boolean): Promise<Outcome> {
    const want = recordAnnotations(held, pod);
    const changed = differingAnnotations(pod, want);
    if (changed.length === 0) {
      committed(key, held.subnet);
      return DONE;
    }
    // A term that ended must not write: the next leader may already have rebuilt without this.
    if (signal.aborted) return DONE;
    const edited = isAllocated(pod);
    try {
      const annotations = routed ? { ...want, [OVN_ANNOTATIONS.routed]: 'true' } : want;
      await ctx.client.mergePatch(RESOURCES.pods, pod.metadata.name ?? '', { metadata: { annotations } }, { namespace: pod.metadata.namespace ?? '', signal, discard: true });
    } catch (err) {
      if (isNotFound(err)) return release(key, undefined, signal, slot);
      throw new Error(`pod ${key}: writing allocation ${held.ip} in subnet ${held.subnet} failed (reservation kept)`, { cause: err });
    }
    committed(key, held.subnet);
    if (edited) {
      const fields = changed.filter((k) => k !== ANNOTATIONS.allocated).join(', ');
      const message = `${fields} edited; written back to ${held.ip} (mac ${held.mac}) in subnet ${held.subnet}: the IP object ${ipNameOfPodKey(key)} is the record of this pod's address, which stays held; recreate the pod for another address`;
      logger.warn({ pod: key, annotations: changed, ip: held.ip, subnet: held.subnet }, 'allocation annotations edited; written back');
      events.record(RESOURCES.pods, pod, 'Warning', EVENT_REASONS.annotationChanged, message);
    } else {
      // No Event for a success, as Kube-OVN: an Event per pod would double the API writes.
      logger.debug({ pod: key, ip: held.ip, mac: held.mac, subnet: held.subnet }, 'address allocated');
    }
    return routed ? ROUTED : DONE;
  }

  /** An allocation the API server would refuse to record: an Event naming the limit, no retry loop. */
  function refuse(key: string, pod: Pod, problem: string): Outcome {
    logger.warn({ pod: key.slice(0, 300) }, problem);
    events.record(RESOURCES.pods, pod, 'Warning', EVENT_REASONS.objectLimit, `${problem}; the pod gets no address`);
    return DONE;
  }

  /**
   * Annotations say allocated but this term holds nothing for the pod (no IP object at the
   * rebuild, e.g. written by a controller without one): hold what they say. A claim on an
   * address someone else holds is a conflict, reported and never resolved by moving either pod.
   */
  async function claimAnnotated(key: string, pod: Pod, signal: AbortSignal, slot: Slot): Promise<Outcome> {
    const recorded = readAllocation(pod);
    if (recorded === undefined) return allocate(key, pod, signal, slot);
    const a = pod.metadata.annotations ?? {};
    const result = ipam.hold(key, recorded.subnet, { ...recorded.addresses, cidr: a[ANNOTATIONS.cidr] ?? '', gateway: a[ANNOTATIONS.gateway] ?? '' });
    if (result.ok) return keepHeld(key, pod, result, signal, slot);
    instruments.ipamConflicts.add(1, { subnet_name: label(recorded.subnet) });
    logger.error({ pod: key, subnet: recorded.subnet.slice(0, 253), reason: result.reason }, `address claim not held: ${result.message}`);
    events.record(RESOURCES.pods, pod, 'Warning', EVENT_REASONS.restoreConflict, `${result.reason}: ${result.message}; the address stays with its holder`);
    book.parkUntilRoom(recorded.subnet, key);
    return DONE;
  }

  function candidates(namespace: string): SubnetCandidate[] {
    const all = caches.subnets.byIndex(BIND_NAMESPACE_INDEX, namespace);
    // A subnet being deleted takes no new pods while another bound subnet can; when every bound
    // subnet is being deleted the pod waits (a bound namespace never spills into the default).
    const live = all.filter((s) => s.metadata.deletionTimestamp === undefined);
    const bound = live.length > 0 ? live : all;
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

  /** A pod holding nothing: choose a subnet and reserve, then record it (`keepHeld`). */
  async function allocate(key: string, pod: Pod, signal: AbortSignal, slot: Slot): Promise<Outcome> {
    const nameProblem = objectNameProblem(ipNameOfPodKey(key));
    if (nameProblem !== undefined) return refuse(key, pod, `IP object ${nameProblem}`);
    const subnet = chooseSubnet(pod, candidates(pod.metadata.namespace ?? ''), ctx.config.defaultSubnet.name);
    const blocked = unavailable(subnet);
    if (blocked !== undefined) return fail(key, pod, subnet, blocked);
    const result = ipam.allocate(key, subnet, staticRequest(pod));
    if (!result.ok) return fail(key, pod, subnet, result);
    instruments.ipamAllocations.add(1, { subnet_name: label(subnet), result: 'success' });
    enqueue.subnetStatus(subnet);
    return keepHeld(key, pod, result, signal, slot);
  }

  return async (key, signal, slot) => {
    const pod = caches.pods.get(key);
    if (pod === undefined) return release(key, undefined, signal, slot);
    if (isHostNetwork(pod)) return DONE;
    const now = ctx.clock.now();
    if (!isPodAlive(pod, now)) return release(key, pod, signal, slot);
    // A reservation is never moved to another subnet by our choice, nor given up for an edit.
    const held = ipam.get(key);
    const outcome = held !== undefined ? await keepHeld(key, pod, held, signal, slot) : isAllocated(pod) ? await claimAnnotated(key, pod, signal, slot) : await allocate(key, pod, signal, slot);
    if (outcome.kind === 'done' && outcome !== ROUTED) await routePod(ctx, key, pod, signal, slot);
    const deadline = deletionDeadline(pod);
    // A deleting pod stops being alive when its grace period passes: look again then (the
    // controller clamps a deadline past Node's timer limit).
    if (deadline !== undefined && outcome.kind === 'done') return { kind: 'requeueAfter', ms: Math.max(0, deadline - now) + 1000 };
    return outcome;
  };
}
