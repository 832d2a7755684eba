/** Subnet, pod and IP reconcilers: glue between kube, ipam and telemetry. */
export { CONTROLLER_READINESS_CHECKS, createControllerManager } from './manager.js';
export type { ControllerManager, ControllerManagerOptions } from './manager.js';
export { ANNOTATIONS, CONTROLLER_NAMES, EVENT_REASONS, FINALIZER, IP_LABELS } from './constants.js';
export { NO_POD_NETWORK } from './pod/network.js';
export type { PodNetwork } from './pod/network.js';
export { RECONCILERS } from './registry.js';
export type { AnyWatch, ReconcilerSpec, Watch } from './spec.js';
export { subnetUsagePoints } from './subnet/metrics.js';
export { nodeSwitchGateways } from './ovn/desired.js';
