/**
 * The pod flow's last step with OVN northbound on (DESIGN §10), for a pod scheduled after its
 * allocation was written (a pod scheduled already is routed by the allocation patch itself): its
 * port joins `<subnet>.<node>` (the group its node's 29000 policy reroutes by), then
 * `ovn.kubernetes.io/routed: "true"` is patched: what kube-ovn-cni waits for before it plugs the
 * interface. Off: nothing (IPAM-only mode never claims a pod is routed).
 */
import { isNotFound, RESOURCES } from '../../kube/index.js';
import type { Slot } from '../../kube/index.js';
import { OVN_ANNOTATIONS } from '../constants.js';
import type { ControllerContext } from '../context.js';
import { splitPodKey } from '../ovn/pod-network.js';
import { throwUnlessOk } from '../ovn/results.js';
import type { Pod } from './rules.js';

/** Runs after a reconcile that left `key` holding a written allocation; throws to retry the pod. */
export async function routePod(ctx: ControllerContext, key: string, pod: Pod, signal: AbortSignal, slot: Slot): Promise<void> {
  const nb = ctx.nb;
  const node = pod.spec?.nodeName;
  if (nb === undefined || node === undefined || node === '' || !ctx.term.pods.isCommitted(key)) return;
  const held = ctx.term.ipam.get(key);
  if (held === undefined) return;
  const { pod: name, namespace } = splitPodKey(key);
  throwUnlessOk(await slot.whileWaiting(nb.setPortGroups({ pod: name, namespace, subnet: held.subnet }, node)), `pod ${key}: port group of node ${node}`);
  if (pod.metadata.annotations?.[OVN_ANNOTATIONS.routed] === 'true' || signal.aborted) return;
  try {
    await ctx.client.mergePatch(RESOURCES.pods, name, { metadata: { annotations: { [OVN_ANNOTATIONS.routed]: 'true' } } }, { namespace, signal, discard: true });
  } catch (err) {
    if (!isNotFound(err)) throw new Error(`pod ${key}: patching ${OVN_ANNOTATIONS.routed} failed`, { cause: err });
  }
}
