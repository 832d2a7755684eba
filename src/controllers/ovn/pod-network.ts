/**
 * The pod flow's network step over the northbound model: port `<pod>.<ns>` in the pod's subnet
 * switch, carrying its MAC and addresses; a scheduled pod's port joins `<subnet>.<node>` in the
 * same request (one NB transaction, coalesced with other pods'), so the allocation patch can
 * carry `routed: "true"`. A failure throws (the pod retries with its reservation kept, and no
 * `IP` object or annotation is written before the port exists).
 */
import type { Allocation } from '../../ipam/index.js';
import type { NbNetwork, PodPortSpec } from '../../ovn/index.js';
import type { PodNetwork, PortResult } from '../pod/network.js';
import type { Pod } from '../pod/rules.js';
import { throwUnlessOk } from './results.js';

/** `ns/name` into its parts (namespaces hold no `/`). */
export function splitPodKey(key: string): { namespace: string; pod: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), pod: key.slice(slash + 1) };
}

/** The port spec of an allocation, addresses v4 first. */
export function podPortSpec(key: string, a: Allocation) {
  return { ...splitPodKey(key), subnet: a.subnet, mac: a.mac, ips: [a.v4, a.v6].filter((ip): ip is string => ip !== undefined) };
}

/**
 * The port spec of a pod's allocation, with its node once scheduled (the port then belongs in
 * `<subnet>.<node>`). The pod flow and drift repair build the same spec: both submit under the
 * port's key, where a newer build replaces a queued one, so they must not disagree.
 */
export function podPortSpecOf(key: string, pod: Pod, a: Allocation): PodPortSpec {
  const node = pod.spec?.nodeName;
  return { ...podPortSpec(key, a), ...(node === undefined || node === '' ? {} : { node }) };
}

const SWITCH_MISSING: PortResult = Object.freeze({ routed: false, switchMissing: true });

export function createOvnPodNetwork(nb: NbNetwork): PodNetwork {
  return {
    async ensurePort(key, pod, allocation) {
      const spec = podPortSpecOf(key, pod, allocation);
      const result = await nb.ensurePodPort(spec);
      if (!result.ok && result.reason === 'NoSwitch') return SWITCH_MISSING;
      throwUnlessOk(result, `pod ${key}: port in ${allocation.subnet}${spec.node === undefined ? '' : ` on node ${spec.node}`}`);
      return { routed: spec.node !== undefined };
    },
    async removePort(key) {
      const { pod, namespace } = splitPodKey(key);
      throwUnlessOk(await nb.deletePodPort(pod, namespace), `pod ${key}: removing its port`);
    },
  };
}
