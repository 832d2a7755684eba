import type { OvnConfig } from '../../../src/config/index.js';

/** `Config.ovn` with northbound off and Kube-OVN's defaults, for tests that build a Config by hand. */
export const OVN_OFF: OvnConfig = {
  nb: { kind: 'off' },
  timeoutMs: 60_000,
  connectTimeoutMs: 3_000,
  inactivityTimeoutMs: 10_000,
  clusterRouter: 'ovn-cluster',
  nodeSwitch: 'join',
  nodeSwitchCidr: '100.64.0.0/16',
  nodeSwitchGateway: '',
  gcIntervalMs: 360_000,
  inspectIntervalMs: 20_000,
  podNicType: 'veth-pair',
};
