/** Names shared with Kube-OVN's CNI and tooling: annotation keys, labels, finalizer, event reasons. */

/** Pod annotations Kube-OVN's CNI waits for (`ovn.kubernetes.io/*`). */
export const ANNOTATIONS = Object.freeze({
  ipAddress: 'ovn.kubernetes.io/ip_address',
  macAddress: 'ovn.kubernetes.io/mac_address',
  cidr: 'ovn.kubernetes.io/cidr',
  gateway: 'ovn.kubernetes.io/gateway',
  logicalSwitch: 'ovn.kubernetes.io/logical_switch',
  allocated: 'ovn.kubernetes.io/allocated',
});

/**
 * Annotations of the OVN steps, kept out of `ANNOTATIONS` (the allocation patch): `routed` is
 * written once the pod's port joined its node's port group, `port_name` names a node's port.
 */
export const OVN_ANNOTATIONS = Object.freeze({
  routed: 'ovn.kubernetes.io/routed',
  portName: 'ovn.kubernetes.io/port_name',
});

/** Labels on `IP` objects (Kube-OVN's `util.SubnetNameLabel` / `util.NodeNameLabel`). */
export const IP_LABELS = Object.freeze({
  subnet: 'ovn.kubernetes.io/subnet',
  node: 'ovn.kubernetes.io/node-name',
});

/** Finalizer on Subnets and IP objects (Kube-OVN's `util.KubeOVNControllerFinalizer`). */
export const FINALIZER = 'kubeovn.io/kube-ovn-controller';

/** Event reasons this controller writes (none for a successful allocation or release, as Kube-OVN). */
export const EVENT_REASONS = Object.freeze({
  acquireFailed: 'AcquireAddressFailed',
  restoreConflict: 'AddressConflict',
  /** A user edited an allocation annotation; it was written back from the IP object (DESIGN §7a). */
  annotationChanged: 'AddressAnnotationChanged',
  /** An object the API server would refuse (a name or label value past its limit). */
  objectLimit: 'ObjectLimitExceeded',
  subnetInUse: 'SubnetInUse',
  subnetValid: 'SubnetValidated',
});

/** Controller names: the `controller` / `name` labels of the controller and workqueue metrics. */
export const CONTROLLER_NAMES = Object.freeze({ pod: 'pod', subnet: 'subnet', ip: 'ip', node: 'node', ovn: 'ovn-nb' });
