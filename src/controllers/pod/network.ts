/**
 * The seam where the pod flow programs the network (DESIGN §10): with OVN northbound on, a
 * logical switch port per pod. Called after the IPAM reservation and before the `IP` object
 * and the pod patch; removal comes before the `IP` object is collected and the address released.
 * Off (no `--ovn-nb-addr`): the no-op below.
 */
import type { Allocation } from '../../ipam/index.js';
import type { Pod } from './rules.js';

/**
 * What the network step achieved: `routed` when the pod may be told so (DESIGN §10) in the
 * allocation patch. `switchMissing`: the pod's subnet has no switch yet (a subnet created a moment
 * ago); nothing was written, and the pod waits for the subnet's own step to program it.
 */
export interface PortResult {
  readonly routed: boolean;
  readonly switchMissing?: true;
}

export interface PodNetwork {
  /**
   * Makes pod `key`'s port carry `allocation`; idempotent. A scheduled pod's port also joins
   * its node's port group in the same step, and the result says `routed` (or `switchMissing`). Throwing retries the
   * pod with backoff, its reservation kept (nothing is half-written: the patch waits for the port).
   */
  ensurePort(key: string, pod: Pod, allocation: Allocation, signal: AbortSignal): Promise<PortResult>;
  /** Removes pod `key`'s port if there is one; idempotent. Throwing retries the release. */
  removePort(key: string, signal: AbortSignal): Promise<void>;
}

const NOT_ROUTED: PortResult = Object.freeze({ routed: false });

/** Northbound programming off: IPAM-only mode never claims a pod is routed. */
export const NO_POD_NETWORK: PodNetwork = Object.freeze({
  ensurePort: () => Promise.resolve(NOT_ROUTED),
  removePort: () => Promise.resolve(),
});
