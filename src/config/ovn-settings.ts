import type { SettingSpec } from './settings.js';

const GO_DURATION_OR_SECONDS = 'integer seconds (Kube-OVN) or Go duration (e.g. 60, 30s, 1m)';
const GO_DURATION = 'Go duration (e.g. 500ms, 30s, 1m30s)';
const NB_OFF = 'unset --ovn-nb-addr';

/** Kube-OVN's OVN flags (names, variables and defaults as its kube-ovn-controller takes them); DESIGN.md §10. */
export const OVN_SETTINGS = {
  ovnNbAddr: { flag: '--ovn-nb-addr', env: 'OVN_NB_ADDR', default: '', defaultText: 'unset: northbound programming OFF, IPAM-only mode (addresses and annotations are still written, but no port, no join subnet or node address, and no pod is ever marked ovn.kubernetes.io/routed, so a real kube-ovn-cni cannot start pods; logged as a warning at start)', value: '<list>', unit: 'comma list of tcp:IP:PORT, ssl:IP:PORT, unix:PATH', off: 'empty', group: 'ovn', help: 'OVN northbound database (Kube-OVN\'s ovn-nb Service). Several members of a raft cluster may be listed; writes go to the leader.' },
  ovnTimeout: { flag: '--ovn-timeout', env: 'OVN_TIMEOUT', default: '60', value: '<seconds|duration>', unit: GO_DURATION_OR_SECONDS, off: 'cannot be turned off', group: 'ovn', help: 'Bound on one northbound call (transaction, schema, monitor).' },
  ovsdbConTimeout: { flag: '--ovsdb-con-timeout', env: 'OVSDB_CON_TIMEOUT', default: '3s', value: '<duration>', unit: GO_DURATION_OR_SECONDS, off: 'cannot be turned off', group: 'ovn', help: 'Bound on connecting to one northbound endpoint.' },
  ovsdbInactivityTimeout: { flag: '--ovsdb-inactivity-timeout', env: 'OVSDB_INACTIVITY_TIMEOUT', default: '10s', value: '<duration>', unit: GO_DURATION_OR_SECONDS, off: '`0`: no echo probes', group: 'ovn', help: 'After this long without a message the client sends an echo; after twice this long it reconnects.' },
  ovnNbSslKey: { flag: '--ovn-nb-ssl-key', env: 'OVN_NB_SSL_KEY', default: '/var/run/tls/key', value: '<path>', unit: 'PEM file', off: 'read only for ssl: endpoints', group: 'ovn', help: 'Client private key for ssl: endpoints (Kube-OVN mounts its TLS secret at /var/run/tls).' },
  ovnNbSslCert: { flag: '--ovn-nb-ssl-cert', env: 'OVN_NB_SSL_CERT', default: '/var/run/tls/cert', value: '<path>', unit: 'PEM file', off: 'read only for ssl: endpoints', group: 'ovn', help: 'Client certificate for ssl: endpoints.' },
  ovnNbSslCa: { flag: '--ovn-nb-ssl-ca', env: 'OVN_NB_SSL_CA', default: '/var/run/tls/cacert', value: '<path>', unit: 'PEM file', off: 'read only for ssl: endpoints', group: 'ovn', help: 'CA certificate the northbound server\'s certificate must chain to.' },
  clusterRouter: { flag: '--cluster-router', env: 'CLUSTER_ROUTER', default: 'ovn-cluster', value: '<name>', unit: 'logical router name', off: NB_OFF, group: 'ovn', help: 'The default VPC\'s logical router.' },
  nodeSwitch: { flag: '--node-switch', env: 'NODE_SWITCH', default: 'join', value: '<name>', unit: 'Kubernetes object name', off: NB_OFF, group: 'ovn', help: 'Subnet (and logical switch) that gives each node its ovn0 address.' },
  nodeSwitchCidr: { flag: '--node-switch-cidr', env: 'NODE_SWITCH_CIDR', default: '100.64.0.0/16', value: '<cidr>', unit: 'CIDR, or v4,v6 for dual stack', off: NB_OFF, group: 'ovn', help: 'CIDR of the node switch.' },
  nodeSwitchGateway: { flag: '--node-switch-gateway', env: 'NODE_SWITCH_GATEWAY', default: '', defaultText: 'first address of each CIDR', value: '<ip>', unit: 'IP, or v4,v6', off: 'empty: first address', group: 'ovn', help: 'Gateway of the node switch; the cluster router\'s default route points at it.' },
  gcInterval: { flag: '--gc-interval', env: 'GC_INTERVAL', default: '360', value: '<seconds|duration>', unit: GO_DURATION_OR_SECONDS, off: '`0`: no garbage collection', group: 'ovn', help: 'How often northbound rows marked vendor=kube-ovn that no object owns are collected (each must be seen orphaned twice).' },
  inspectInterval: { flag: '--inspect-interval', env: 'INSPECT_INTERVAL', default: '20', value: '<seconds|duration>', unit: GO_DURATION_OR_SECONDS, off: '`0`: no drift repair', group: 'ovn', help: 'How often the ports of live pods and nodes are compared column by column with what they should be, and repaired.' },
  podNicType: { flag: '--pod-nic-type', env: 'POD_NIC_TYPE', default: 'veth-pair', value: '<type>', unit: 'veth-pair or internal-port', off: 'cannot be turned off', group: 'ovn', help: 'Written to the pod annotation ovn.kubernetes.io/pod_nic_type.' },
} as const satisfies Record<string, SettingSpec>;
