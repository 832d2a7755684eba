/**
 * Every reconciler this controller runs, in the order their workers start and their keys are
 * first enqueued after a rebuild (subnets first: pods wait for them; nodes before pods, as the
 * CNI daemon needs its node's port before any pod on it; the northbound upkeep last, its
 * `prepare` after the node addresses are restored). Adding a reconciler is its
 * folder plus one line here.
 */
import { ipReconciler } from './ip/index.js';
import { nodeReconciler } from './node/index.js';
import { ovnReconciler } from './ovn/index.js';
import { podReconciler } from './pod/index.js';
import type { ReconcilerSpec } from './spec.js';
import { subnetReconciler } from './subnet/index.js';

export const RECONCILERS: readonly ReconcilerSpec[] = Object.freeze([subnetReconciler, nodeReconciler, podReconciler, ipReconciler, ovnReconciler]);
