/**
 * Subnet spec validation and compilation into per-family address sets. Pure.
 *
 * Rules follow Kube-OVN's validator and IPAM (`pkg/util/validator.go`, `pkg/util/net.go`):
 * - `cidrBlock` is one CIDR or `v4,v6` (either order; normalised to v4 first); host bits
 *   are masked; /32 and /128 are refused; networks overlapping broadcast, multicast,
 *   loopback, 0.0.0.0, link-local, `::`, `::1` are refused (`CIDRGlobalUnicast`).
 * - `gateway` defaults per family to the first usable address; in a dual subnet a
 *   missing family is filled the same way. It must be inside its CIDR and be neither
 *   the network number nor (IPv4) the broadcast address, except on /31 and /127.
 * - `excludeIps` entries are `ip` or `a..b` (same family, a <= b); anything else is
 *   refused. Entries of a family the subnet lacks are ignored; ranges are clipped to
 *   the usable range (Kube-OVN's `ExpandExcludeIPs`); overlapping entries merge.
 * - The gateway is always reserved, even when `excludeIps` does not list it.
 */
import { cidrOverlaps, formatCidr, parseCidr, usableRange } from './cidr.js';
import type { Cidr } from './cidr.js';
import { familyBits, formatIp, parseIp } from './ip.js';
import type { Family } from './ip.js';
import { RangeList } from './range-list.js';
import type { Range } from './range-list.js';

/** The subset of a Subnet spec the IPAM uses (Kube-OVN field names). */
export interface SubnetSpec {
  readonly name: string;
  /** `10.16.0.0/16`, `fd00::/64` or `10.16.0.0/16,fd00::/64`. */
  readonly cidrBlock: string;
  /** Empty/absent: first usable address per family. Dual: `v4,v6`. */
  readonly gateway?: string;
  /** IPs and `a..b` ranges never handed out dynamically (static requests may use them). */
  readonly excludeIps?: readonly string[];
}

export type SubnetSpecError =
  | { readonly ok: false; readonly reason: 'CIDRInvalid'; readonly message: string }
  | { readonly ok: false; readonly reason: 'GatewayInvalid'; readonly message: string }
  | { readonly ok: false; readonly reason: 'ExcludeIpsInvalid'; readonly message: string };

/** One family of a compiled subnet. */
export interface FamilySpec {
  readonly family: Family;
  readonly cidr: Cidr;
  /** Usable addresses: Kube-OVN's FirstIP..LastIP. */
  readonly first: bigint;
  readonly last: bigint;
  readonly gateway: bigint;
  /** Excludes clipped to [first, last], merged, plus the gateway. */
  readonly reserved: RangeList;
}

export interface CompiledSubnet {
  readonly name: string;
  /** Normalised, e.g. `10.16.0.0/16,fd00::/64`. */
  readonly cidrBlock: string;
  /** Normalised, e.g. `10.16.0.1,fd00::1`. */
  readonly gateway: string;
  readonly protocol: 'IPv4' | 'IPv6' | 'Dual';
  readonly v4: FamilySpec | undefined;
  readonly v6: FamilySpec | undefined;
}

const SPECIAL_CIDRS = [
  '255.255.255.255/32',
  '224.0.0.0/4',
  '127.0.0.0/8',
  '0.0.0.0/32',
  '169.254.0.0/16',
  '::/128',
  '::1/128',
  'ff00::/8',
  'fe80::/10',
].map((text) => ({ text, cidr: parseCidr(text) as Cidr }));

function fail<R extends SubnetSpecError['reason']>(reason: R, message: string) {
  return { ok: false as const, reason, message };
}

function parseCidrBlock(text: string): { v4?: Cidr; v6?: Cidr } | SubnetSpecError {
  const parts = text.split(',');
  if (parts.length > 2) return fail('CIDRInvalid', `cidrBlock: expected one CIDR or "v4,v6", got \`${text}\``);
  const out: { v4?: Cidr; v6?: Cidr } = {};
  for (const part of parts) {
    const cidr = parseCidr(part);
    if (cidr === undefined) return fail('CIDRInvalid', `cidrBlock: \`${part}\` is not a valid CIDR`);
    const key = cidr.family === 4 ? 'v4' : 'v6';
    if (out[key] !== undefined) return fail('CIDRInvalid', `cidrBlock: \`${text}\` has two IPv${cidr.family} CIDRs`);
    if (cidr.prefix === familyBits(cidr.family)) return fail('CIDRInvalid', `cidrBlock: \`${part}\` has no usable address (/${cidr.prefix})`);
    const special = SPECIAL_CIDRS.find((s) => cidrOverlaps(s.cidr, cidr));
    if (special !== undefined) return fail('CIDRInvalid', `cidrBlock: \`${part}\` overlaps the reserved range ${special.text}`);
    out[key] = cidr;
  }
  return out;
}

function parseGateways(text: string, cidrs: { v4?: Cidr; v6?: Cidr }): Map<Family, bigint> | SubnetSpecError {
  const out = new Map<Family, bigint>();
  if (text === '') return out;
  for (const part of text.split(',')) {
    const ip = parseIp(part);
    if (ip === undefined) return fail('GatewayInvalid', `gateway: \`${part}\` is not a valid IP address`);
    const cidr = ip.family === 4 ? cidrs.v4 : cidrs.v6;
    if (cidr === undefined || ip.value < cidr.network || ip.value > cidr.broadcast) {
      return fail('GatewayInvalid', `gateway: \`${part}\` is not in cidrBlock ${Object.values(cidrs).map(formatCidr).join(',')}`);
    }
    if (out.has(ip.family)) return fail('GatewayInvalid', `gateway: \`${text}\` has two IPv${ip.family} addresses`);
    const ptp = familyBits(ip.family) - cidr.prefix === 1;
    if (!ptp && ip.value === cidr.network) return fail('GatewayInvalid', `gateway: \`${part}\` is the network number of ${formatCidr(cidr)}`);
    if (!ptp && ip.family === 4 && ip.value === cidr.broadcast) {
      return fail('GatewayInvalid', `gateway: \`${part}\` is the broadcast address of ${formatCidr(cidr)}`);
    }
    out.set(ip.family, ip.value);
  }
  return out;
}

/** Parses `excludeIps` into ranges per family, unclipped. */
export function parseExcludeIps(entries: readonly string[]): Map<Family, Range[]> | SubnetSpecError {
  const out = new Map<Family, Range[]>([
    [4, []],
    [6, []],
  ]);
  for (const entry of entries) {
    const bounds = entry.split('..');
    const ips = bounds.map((b) => parseIp(b));
    const [a, b = a] = ips;
    if (bounds.length > 2 || a === undefined || b === undefined || ips.includes(undefined)) {
      return fail('ExcludeIpsInvalid', `excludeIps: \`${entry}\` is not an IP or an \`a..b\` range`);
    }
    if (a.family !== b.family) return fail('ExcludeIpsInvalid', `excludeIps: \`${entry}\` mixes IPv4 and IPv6`);
    if (a.value > b.value) return fail('ExcludeIpsInvalid', `excludeIps: \`${entry}\` starts after it ends`);
    out.get(a.family)?.push([a.value, b.value]);
  }
  return out;
}

function compileFamily(cidr: Cidr, gateway: bigint | undefined, excludes: readonly Range[]): FamilySpec {
  // parseCidrBlock refused prefixes without usable addresses
  const { first, last } = usableRange(cidr) as { first: bigint; last: bigint };
  const gw = gateway ?? first;
  const clipped = excludes.map(([s, e]): Range => [s < first ? first : s, e > last ? last : e]);
  if (gw >= first && gw <= last) clipped.push([gw, gw]);
  return { family: cidr.family, cidr, first, last, gateway: gw, reserved: RangeList.of(clipped) };
}

/** Validates a spec and compiles it; errors are values. */
export function compileSubnetSpec(spec: SubnetSpec): { ok: true; subnet: CompiledSubnet } | SubnetSpecError {
  const cidrs = parseCidrBlock(spec.cidrBlock);
  if ('ok' in cidrs) return cidrs;
  const gateways = parseGateways(spec.gateway ?? '', cidrs);
  if (!(gateways instanceof Map)) return gateways;
  const excludes = parseExcludeIps(spec.excludeIps ?? []);
  if (!(excludes instanceof Map)) return excludes;
  const v4 = cidrs.v4 && compileFamily(cidrs.v4, gateways.get(4), excludes.get(4) ?? []);
  const v6 = cidrs.v6 && compileFamily(cidrs.v6, gateways.get(6), excludes.get(6) ?? []);
  const families = [v4, v6].filter((f): f is FamilySpec => f !== undefined);
  return {
    ok: true,
    subnet: {
      name: spec.name,
      cidrBlock: families.map((f) => formatCidr(f.cidr)).join(','),
      gateway: families.map((f) => formatIp(f.family, f.gateway)).join(','),
      protocol: v4 && v6 ? 'Dual' : v4 ? 'IPv4' : 'IPv6',
      v4,
      v6,
    },
  };
}

/**
 * Kube-OVN's spec defaulting (`formatSubnet`): masked CIDRs, gateway defaulted per
 * family, excludeIps merged, and the gateways appended when no entry covers them;
 * sorted as strings like Kube-OVN does. Returns the error for an invalid spec.
 */
export function formatSubnetSpec(
  spec: SubnetSpec,
): { ok: true; cidrBlock: string; gateway: string; excludeIps: string[] } | SubnetSpecError {
  const compiled = compileSubnetSpec(spec);
  if (!compiled.ok) return compiled;
  const { subnet } = compiled;
  const parsed = parseExcludeIps(spec.excludeIps ?? []) as Map<Family, Range[]>;
  const out: string[] = [];
  for (const f of [subnet.v4, subnet.v6]) {
    if (f === undefined) continue;
    const ranges = RangeList.of(parsed.get(f.family) ?? []);
    for (const [s, e] of ranges.ranges()) out.push(s === e ? formatIp(f.family, s) : `${formatIp(f.family, s)}..${formatIp(f.family, e)}`);
    if (!ranges.contains(f.gateway)) out.push(formatIp(f.family, f.gateway));
  }
  return { ok: true, cidrBlock: subnet.cidrBlock, gateway: subnet.gateway, excludeIps: out.sort() };
}
