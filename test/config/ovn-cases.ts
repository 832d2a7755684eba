import type { Config } from '../../src/config/index.js';

/** The OVN settings' rows of `settings.test.ts`'s table (kept here so that table's file sees one line of change). */
export const OVN_CASES: readonly { flag: string; env: string; raw: string; read: (c: Config) => unknown; want: unknown; extra?: Record<string, string> }[] = [
  { flag: '--ovn-nb-addr', env: 'OVN_NB_ADDR', raw: 'tcp:127.0.0.1:6641,unix:/run/nb.sock', read: (c) => c.ovn.nb, want: { kind: 'on', endpoints: [{ kind: 'tcp', host: '127.0.0.1', port: 6641 }, { kind: 'unix', path: '/run/nb.sock' }] } },
  { flag: '--ovn-timeout', env: 'OVN_TIMEOUT', raw: '30', read: (c) => c.ovn.timeoutMs, want: 30_000 },
  { flag: '--ovsdb-con-timeout', env: 'OVSDB_CON_TIMEOUT', raw: '5s', read: (c) => c.ovn.connectTimeoutMs, want: 5_000 },
  { flag: '--ovsdb-inactivity-timeout', env: 'OVSDB_INACTIVITY_TIMEOUT', raw: '15s', read: (c) => c.ovn.inactivityTimeoutMs, want: 15_000 },
  { flag: '--ovn-nb-ssl-key', env: 'OVN_NB_SSL_KEY', raw: '/k', read: (c) => c.ovn.nb, want: { kind: 'on', endpoints: [{ kind: 'ssl', host: '10.0.0.1', port: 6641 }], tls: { keyFile: '/k', certFile: '/var/run/tls/cert', caFile: '/var/run/tls/cacert' } }, extra: { OVN_NB_ADDR: 'ssl:10.0.0.1:6641' } },
  { flag: '--ovn-nb-ssl-cert', env: 'OVN_NB_SSL_CERT', raw: '/c', read: (c) => c.ovn.nb, want: { kind: 'on', endpoints: [{ kind: 'ssl', host: '10.0.0.1', port: 6641 }], tls: { keyFile: '/var/run/tls/key', certFile: '/c', caFile: '/var/run/tls/cacert' } }, extra: { OVN_NB_ADDR: 'ssl:10.0.0.1:6641' } },
  { flag: '--ovn-nb-ssl-ca', env: 'OVN_NB_SSL_CA', raw: '/ca', read: (c) => c.ovn.nb, want: { kind: 'on', endpoints: [{ kind: 'ssl', host: '10.0.0.1', port: 6641 }], tls: { keyFile: '/var/run/tls/key', certFile: '/var/run/tls/cert', caFile: '/ca' } }, extra: { OVN_NB_ADDR: 'ssl:10.0.0.1:6641' } },
  { flag: '--cluster-router', env: 'CLUSTER_ROUTER', raw: 'vpc-a', read: (c) => c.ovn.clusterRouter, want: 'vpc-a' },
  { flag: '--node-switch', env: 'NODE_SWITCH', raw: 'nodes', read: (c) => c.ovn.nodeSwitch, want: 'nodes' },
  { flag: '--node-switch-cidr', env: 'NODE_SWITCH_CIDR', raw: 'fd00:100::/112,100.65.0.0/16', read: (c) => c.ovn.nodeSwitchCidr, want: '100.65.0.0/16,fd00:100::/112' },
  { flag: '--node-switch-gateway', env: 'NODE_SWITCH_GATEWAY', raw: '100.64.0.254', read: (c) => c.ovn.nodeSwitchGateway, want: '100.64.0.254' },
  { flag: '--gc-interval', env: 'GC_INTERVAL', raw: '2m', read: (c) => c.ovn.gcIntervalMs, want: 120_000 },
  { flag: '--inspect-interval', env: 'INSPECT_INTERVAL', raw: '0', read: (c) => c.ovn.inspectIntervalMs, want: 0 },
  { flag: '--pod-nic-type', env: 'POD_NIC_TYPE', raw: 'internal-port', read: (c) => c.ovn.podNicType, want: 'internal-port' },
];

export const OVN_DECOYS: Readonly<Record<string, string>> = {
  OVN_NB_ADDR: 'tcp:127.0.0.2:6641', OVN_TIMEOUT: '9', OVSDB_CON_TIMEOUT: '9s', OVSDB_INACTIVITY_TIMEOUT: '9s', OVN_NB_SSL_KEY: '/x',
  OVN_NB_SSL_CERT: '/x', OVN_NB_SSL_CA: '/x', CLUSTER_ROUTER: 'other', NODE_SWITCH: 'other', NODE_SWITCH_CIDR: '100.99.0.0/16',
  NODE_SWITCH_GATEWAY: '100.64.0.9', GC_INTERVAL: '9', INSPECT_INTERVAL: '9', POD_NIC_TYPE: 'veth-pair',
};
