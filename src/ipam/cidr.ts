/**
 * CIDR math over `bigint`. Pure, no I/O.
 *
 * Semantics follow Go's `net.ParseCIDR`, which Kube-OVN uses: host bits are masked,
 * so `10.16.0.1/16` means `10.16.0.0/16` (`hostBitsSet` reports that it happened, for
 * callers that want to warn). The prefix length is decimal without leading zeros.
 */
import { familyBits, formatIp, parseIp } from './ip.js';
import type { Family } from './ip.js';

/** A parsed, masked network. */
export interface Cidr {
  readonly family: Family;
  /** Network address (host bits cleared). */
  readonly network: bigint;
  /** Prefix length, 0..32 or 0..128. */
  readonly prefix: number;
  /** Last address of the network (all host bits set). */
  readonly broadcast: bigint;
  /** True when the text had host bits set and they were masked off. */
  readonly hostBitsSet: boolean;
}

/** Parses `addr/prefix`; `undefined` when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (ip === undefined || !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const bits = familyBits(ip.family);
  if (prefix > bits) return undefined;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const network = ip.value & ~hostMask;
  return {
    family: ip.family,
    network,
    prefix,
    broadcast: network | hostMask,
    hostBitsSet: network !== ip.value,
  };
}

/** Canonical text of a network, e.g. `10.16.0.0/16`, `fd00::/64`. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.family, cidr.network)}/${cidr.prefix}`;
}

/** True when the address (of the same family) is inside the network. */
export function cidrContains(cidr: Cidr, family: Family, value: bigint): boolean {
  return cidr.family === family && value >= cidr.network && value <= cidr.broadcast;
}

/** True when two networks of the same family share at least one address. */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.network <= b.broadcast && b.network <= a.broadcast;
}

/**
 * The addresses Kube-OVN hands out from a network (`util.FirstIP`..`util.LastIP`):
 * the network and the all-ones address are excluded for both families, except on
 * point-to-point prefixes (/31, /127) where both addresses are usable. /32 and /128
 * have no usable address (Kube-OVN's validator rejects them); `undefined` then.
 */
export function usableRange(cidr: Cidr): { first: bigint; last: bigint } | undefined {
  const hostBits = familyBits(cidr.family) - cidr.prefix;
  if (hostBits === 0) return undefined;
  if (hostBits === 1) return { first: cidr.network, last: cidr.broadcast };
  return { first: cidr.network + 1n, last: cidr.broadcast - 1n };
}
