/**
 * IP address text <-> `bigint` conversion. Pure, no I/O.
 *
 * Parsing is strict: IPv4 is dotted decimal with exactly four parts and no leading
 * zeros (Go's `net.ParseIP` since 1.17, which Kube-OVN uses); IPv6 follows RFC 4291
 * text forms (hex case-insensitive, `::`, an embedded dotted IPv4 tail), without zones.
 * Formatting is canonical: IPv6 per RFC 5952 (lowercase, longest zero run compressed,
 * IPv4-mapped addresses as `::ffff:a.b.c.d`).
 */

/** Address family: 4 or 6. */
export type Family = 4 | 6;

/** A parsed address: family and its value as an unsigned integer (32 or 128 bits). */
export interface ParsedIp {
  readonly family: Family;
  readonly value: bigint;
}

/** Number of bits of an address of the family. */
export function familyBits(family: Family): 32 | 128 {
  return family === 4 ? 32 : 128;
}

/** Parses dotted-decimal IPv4 to a uint32 `number`, or `undefined` when invalid. */
export function parseIpv4Number(text: string): number | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // virtual trailing '.'
    if (c === 46) {
      if (digits === 0 || parts === 4) return undefined;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // a leading zero followed by more digits is rejected (ambiguous octal)
      if (digits === 1 && part === 0) return undefined;
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return parts === 4 ? value : undefined;
}

function parseHextet(text: string): number | undefined {
  if (text.length === 0 || text.length > 4) return undefined;
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else return undefined;
    v = v * 16 + d;
  }
  return v;
}

/** Expands one side of a `::` into hextets; a dotted IPv4 is allowed only as the last group. */
function parseGroups(text: string, allowV4Tail: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const out: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (allowV4Tail && i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIpv4Number(p);
      if (v4 === undefined) return undefined;
      out.push(v4 >>> 16, v4 & 0xffff);
    } else {
      const h = parseHextet(p);
      if (h === undefined) return undefined;
      out.push(h);
    }
  }
  return out;
}

/** Parses IPv6 text to a 128-bit `bigint`, or `undefined` when invalid. */
export function parseIpv6(text: string): bigint | undefined {
  if (text.includes('%')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0] as string, false);
    const tail = parseGroups(halves[1] as string, true);
    if (head === undefined || tail === undefined) return undefined;
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    const all = parseGroups(text, true);
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

/** Parses an IPv4 or IPv6 address (family decided by the presence of `:`). */
export function parseIp(text: string): ParsedIp | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const v4 = parseIpv4Number(text);
  return v4 === undefined ? undefined : { family: 4, value: BigInt(v4) };
}

/** Formats a uint32 (as `number` or `bigint`) in dotted decimal. */
export function formatIpv4(value: number | bigint): string {
  const n = typeof value === 'bigint' ? Number(value) : value;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

const LOW32 = 0xffffffffn;

/** RFC 5952 text of eight 16-bit groups (numbers). */
export function formatHextets(g: readonly number[]): string {
  // IPv4-mapped (::ffff:a.b.c.d) keeps the mixed notation of RFC 5952 section 5
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${formatIpv4((g[6] as number) * 65536 + (g[7] as number))}`;
  }
  let bestStart = -1;
  let bestLen = 1; // RFC 5952 4.2.2: a single zero group is not compressed
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (g[i] !== 0) {
      runStart = -1;
      continue;
    }
    if (runStart < 0) runStart = i;
    if (i - runStart + 1 > bestLen) {
      bestStart = runStart;
      bestLen = i - runStart + 1;
    }
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += (g[i] as number).toString(16);
  }
  return out;
}

/** Splits a 128-bit value into eight 16-bit groups. */
export function hextetsOf(value: bigint): number[] {
  const g = new Array<number>(8);
  for (let i = 0; i < 4; i++) {
    const word = Number((value >> BigInt(96 - 32 * i)) & LOW32);
    g[2 * i] = word >>> 16;
    g[2 * i + 1] = word & 0xffff;
  }
  return g;
}

/** Formats a 128-bit value per RFC 5952. */
export function formatIpv6(value: bigint): string {
  return formatHextets(hextetsOf(value));
}

/** Formats an address of the family. */
export function formatIp(family: Family, value: bigint): string {
  return family === 4 ? formatIpv4(value) : formatIpv6(value);
}
