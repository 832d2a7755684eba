import { BlockList, isIP } from 'node:net';
import { ConfigError, expected, show } from './errors.js';

/** IP family of a literal: 4, 6, or 0 when it is not one. */
type Family = 0 | 4 | 6;

function familyOf(text: string): Family {
  return isIP(text) as Family;
}

function splitList(raw: string): string[] {
  return raw.split(',').map((s) => s.trim());
}

/** One `addr/prefix` with prefix 0-32 (IPv4) or 0-128 (IPv6); returns its family. Syntax only: host bits may be set, as Kube-OVN accepts. */
function cidrFamily(text: string): Family {
  const slash = text.indexOf('/');
  if (slash < 0) return 0;
  const family = familyOf(text.slice(0, slash));
  const prefix = text.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(prefix)) return 0;
  return Number(prefix) <= (family === 4 ? 32 : 128) ? family : 0;
}

const CIDR_ACCEPTED = 'a CIDR like `10.16.0.0/16`, or an IPv4 and an IPv6 CIDR separated by a comma (dual stack)';

/**
 * `--default-cidr`: one CIDR, or `v4,v6` for dual stack (either order in, always `v4,v6` out).
 * Returns the families present, for checking the gateway. Checked for syntax only; the
 * address arithmetic belongs to `src/ipam`.
 */
export function parseCidrs(raw: string, setting: string): { cidr: string; families: ReadonlySet<Family> } {
  const parts = splitList(raw);
  if (parts.length > 2) throw expected(setting, CIDR_ACCEPTED, raw);
  const families = parts.map(cidrFamily);
  if (families.includes(0)) throw expected(setting, CIDR_ACCEPTED, raw);
  if (parts.length === 2 && families[0] === families[1]) throw expected(setting, CIDR_ACCEPTED, raw);
  return { cidr: v4First(parts, families).join(','), families: new Set(families) };
}

/** `--default-gateway`: empty (first address of each CIDR), or one IP per CIDR family; `v4,v6` order out. */
export function parseGateways(raw: string, setting: string, cidrFamilies: ReadonlySet<Family>, cidrSetting: string): string {
  if (raw.trim() === '') return '';
  const parts = splitList(raw);
  const families = parts.map(familyOf);
  if (parts.length > 2 || families.includes(0) || (parts.length === 2 && families[0] === families[1])) {
    throw expected(setting, 'an IP address, or an IPv4 and an IPv6 address separated by a comma', raw);
  }
  for (const family of families) {
    if (!cidrFamilies.has(family)) {
      throw new ConfigError(`${setting}: ${show(raw)} has an IPv${family} address but ${cidrSetting} has no IPv${family} CIDR`);
    }
  }
  return v4First(parts, families).join(',');
}

/** Kube-OVN writes dual stack as `v4,v6`; normalise so consumers can rely on the order. */
function v4First(parts: readonly string[], families: readonly Family[]): string[] {
  return families[0] === 6 ? [...parts].reverse() : [...parts];
}

/**
 * `--default-exclude-ips`: comma list of IPs and `a..b` ranges (Kube-OVN's `excludeIps` syntax,
 * both ends of a range of one family). Empty items are skipped; an empty string means none.
 */
export function parseExcludeIps(raw: string, setting: string): string[] {
  const items = splitList(raw).filter((s) => s !== '');
  for (const item of items) {
    const ends = item.split('..');
    const families = ends.map((e) => familyOf(e.trim()));
    const ok = ends.length <= 2 && !families.includes(0) && families.every((f) => f === families[0]);
    if (!ok) {
      throw new ConfigError(
        `${setting}: expected a comma list of IP addresses and \`first..last\` ranges of one family, got ${show(item)} in ${show(raw)}`,
      );
    }
  }
  return items.map((item) => item.split('..').map((e) => e.trim()).join('..'));
}

const WILDCARDS = new Set(['', '0.0.0.0', '::']);

function isWildcard(address: string): boolean {
  return WILDCARDS.has(address) || (familyOf(address) === 6 && sameAddress(address, '::'));
}

function isLoopback(address: string): boolean {
  if (address === 'localhost') return true;
  const loopback = new BlockList();
  loopback.addSubnet('127.0.0.0', 8, 'ipv4');
  loopback.addAddress('::1', 'ipv6');
  const family = familyOf(address);
  return family !== 0 && loopback.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  const fa = familyOf(a);
  if (fa === 0 || fa !== familyOf(b)) return false;
  const list = new BlockList();
  const type = fa === 4 ? 'ipv4' : 'ipv6';
  list.addAddress(a, type);
  return list.check(b, type);
}

/**
 * Whether two listeners on these addresses could fight over one port: equal addresses, either
 * one a wildcard (`0.0.0.0`, `::`, empty), or both loopback (`localhost`, 127/8, `::1`).
 */
export function addressesOverlap(a: string, b: string): boolean {
  return sameAddress(a, b) || isWildcard(a) || isWildcard(b) || (isLoopback(a) && isLoopback(b));
}
