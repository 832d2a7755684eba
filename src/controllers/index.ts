/** Subnet, pod and IP reconcilers: glue between kube, ipam and telemetry. */
export { createControllerManager } from './manager.js';
export type { Check, CheckResult, ControllerManager, ControllerManagerOptions } from './manager.js';
export { ANNOTATIONS, CONTROLLER_NAMES, EVENT_REASONS, FINALIZER, IP_LABELS } from './constants.js';
export { subnetUsagePoints } from './metrics.js';
