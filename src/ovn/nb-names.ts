/** Northbound names and marks exactly as Kube-OVN writes them (kubeovn/kube-ovn `pkg/util`, `pkg/ovs`), so its tooling keeps working. */

export const VENDOR = 'kube-ovn';

/** Tables this service reads and writes, with the columns it monitors. */
export const NB_TABLES = {
  Logical_Router: ['name', 'ports', 'policies', 'static_routes', 'options', 'external_ids'],
  Logical_Router_Port: ['name', 'mac', 'networks', 'external_ids'],
  Logical_Router_Policy: ['priority', 'match', 'action', 'nexthops', 'external_ids'],
  Logical_Router_Static_Route: ['ip_prefix', 'nexthop', 'policy', 'external_ids'],
  Logical_Switch: ['name', 'ports', 'external_ids'],
  Logical_Switch_Port: ['name', 'type', 'addresses', 'options', 'external_ids'],
  Port_Group: ['name', 'ports', 'external_ids'],
} as const;

/** Pod port: `<pod>.<namespace>`. */
export function podPortName(pod: string, namespace: string): string {
  return `${pod}.${namespace}`;
}

export function nodePortName(node: string): string {
  return `node-${node}`;
}

/** Switch side of a subnet's router patch: `<subnet>-<router>`. */
export function switchRouterPortName(subnet: string, router: string): string {
  return `${subnet}-${router}`;
}

/** Router side: `<router>-<subnet>`. */
export function routerPortName(router: string, subnet: string): string {
  return `${router}-${subnet}`;
}

// OVN identifiers (`$pg_ip4` in a match) cannot hold `-`, so Kube-OVN writes dots.
export function nodePortGroupName(node: string): string {
  return `node.${node}`.replace(/-/g, '.');
}

export function subnetNodePortGroupName(subnet: string, node: string): string {
  return `${subnet}.${node}`.replace(/-/g, '.');
}

export const PRIORITY = { subnetAllow: 31_000, nodeReroute: 30_000, subnetNodeReroute: 29_000 } as const;

/** The router's own options, as Kube-OVN's `initDefaultLogicalRouter` sets them. */
export const ROUTER_OPTIONS: Readonly<Record<string, string>> = {
  mac_binding_age_threshold: '300',
  dynamic_neigh_routers: 'true',
  always_learn_from_arp_request: 'false',
};

/** `ip4` or `ip6` for an address or CIDR. */
export function ipFamily(address: string): 'ip4' | 'ip6' {
  return address.includes(':') ? 'ip6' : 'ip4';
}

/** A random locally administered unicast MAC (Kube-OVN's `GenerateMac`: first octet `|0x02 &0xfe`). */
export function randomMac(random: (n: number) => Uint8Array): string {
  const b = random(6);
  b[0] = ((b[0] ?? 0) | 0x02) & 0xfe;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}
