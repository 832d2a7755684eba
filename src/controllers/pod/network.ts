/**
 * The seam where the pod flow programs the network (DESIGN §10): with OVN northbound on, a
 * logical switch port per pod. Called after the IPAM reservation and before the `IP` object
 * and the pod patch; removal comes before the `IP` object is collected and the address released.
 * Off (no `--ovn-nb-addr`): the no-op below.
 */
import type { Allocation } from '../../ipam/index.js';
import type { Pod } from './rules.js';

export interface PodNetwork {
  /**
   * Makes pod `key`'s port carry `allocation`; idempotent. Throwing retries the pod with
   * backoff, its reservation kept (so nothing is half-written: the patch waits for the port).
   */
  ensurePort(key: string, pod: Pod, allocation: Allocation, signal: AbortSignal): Promise<void>;
  /** Removes pod `key`'s port if there is one; idempotent. Throwing retries the release. */
  removePort(key: string, signal: AbortSignal): Promise<void>;
}

/** Northbound programming off. */
export const NO_POD_NETWORK: PodNetwork = Object.freeze({
  ensurePort: () => Promise.resolve(),
  removePort: () => Promise.resolve(),
});
