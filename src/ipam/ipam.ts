/**
 * The IPAM: many subnets, allocations keyed by pod (`ns/name`). Pure and synchronous;
 * the caller serialises calls (one event loop does). Kube-OVN behaviour: lowest free
 * address first, released addresses reused only once the free range is exhausted,
 * gateway and excludeIps never handed out dynamically, random-looking locally administered
 * unicast MACs unique per subnet (drawn from a keyed permutation: mac-space.ts).
 */
import { cidrContains, cidrOverlaps, parseCidr } from './cidr.js';
import { parseIp } from './ip.js';
import type { Family } from './ip.js';
import { parseMac } from './mac.js';
import type { RandomFill } from './mac.js';
import { MacSpace } from './mac-space.js';
import { FamilyPool } from './pool.js';
import type { FamilyUsage } from './pool.js';
import { DetachedClaims } from './detached.js';
import { compileSubnetSpec } from './spec.js';
import type { CompiledSubnet, FamilySpec, SubnetSpec } from './spec.js';
import { SubnetState } from './subnet-state.js';
import type {
  AllocateFailure,
  AllocateOptions,
  AllocateResult,
  Allocation,
  HoldAddresses,
  RefusedClaim,
  RestoreAddresses,
  SubnetInfo,
  SubnetStats,
  SubnetUsage,
  UpsertSubnetResult,
} from './types.js';

export interface IpamOptions {
  /** Random source for each subnet's MAC permutation keys. Default: `crypto.getRandomValues`. */
  readonly random?: RandomFill;
  /** Generated MACs skipped (each claimed by a static or restored MAC) before giving up with `NoAvailableAddress`. Default 64. */
  readonly macAttempts?: number;
}

export interface Ipam {
  /** Creates or updates a subnet. Validation failures and refused changes are values. */
  upsertSubnet(spec: SubnetSpec): UpsertSubnetResult;
  /**
   * Stops serving a subnet; false when unknown. Its allocations are NOT forgotten: they stay
   * held as detached claims (DESIGN §7a: a Subnet object can vanish, e.g. its finalizer removed
   * by force, while live pods hold its addresses) until released by key, and are re-admitted
   * before anything else when a subnet of that name is upserted again.
   */
  deleteSubnet(name: string): boolean;
  /**
   * Records a claim found outside (rebuild): like `restore` when `subnet` is served; when it is
   * not, the claim is held detached until the subnet is served. A claim on an address another
   * detached key of that subnet holds is an `AddressConflict`.
   */
  hold(key: string, subnet: string, addresses: HoldAddresses): AllocateResult;
  subnet(name: string): SubnetInfo | undefined;
  subnets(): SubnetInfo[];
  /** Allocates for `key`; the same key gets the same allocation back. */
  allocate(key: string, subnet: string, opts?: AllocateOptions): AllocateResult;
  /** Records an allocation that exists outside (rebuild on restart); conflicts are values. */
  restore(key: string, subnet: string, addresses: RestoreAddresses): AllocateResult;
  /** Releases the key in one subnet, or in all when `subnet` is absent; returns how many. */
  release(key: string, subnet?: string): number;
  /** The key's allocation in `subnet`, or its first allocation in any subnet; detached claims count (after served ones). */
  get(key: string, subnet?: string): Allocation | undefined;
  /** Claims held for subnets not served right now. */
  detached(): Allocation[];
  /** Every key holding an allocation or a detached claim. */
  keys(): Set<string>;
  /** True when a dynamic allocation would find an address in every family; O(1). */
  hasFree(subnet: string): boolean;
  /** Status address fields; `undefined` for an unknown subnet. */
  usage(subnet: string): SubnetUsage | undefined;
  /** The first subnet whose CIDR contains the address. */
  subnetOf(ip: string): string | undefined;
  /** Names of subnets (other than `except`) overlapping any CIDR of `cidrBlock`. */
  overlaps(cidrBlock: string, except?: string): string[];
  stats(subnet: string): SubnetStats | undefined;
}

const EMPTY_USAGE: FamilyUsage = { availableIPs: 0n, usingIPs: 0n, availableIPrange: '', usingIPrange: '' };

function info(c: CompiledSubnet): SubnetInfo {
  return { name: c.name, cidrBlock: c.cidrBlock, gateway: c.gateway, protocol: c.protocol };
}

function sameFamily(a: FamilySpec | undefined, b: FamilySpec | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const fmt = (v: bigint) => v.toString(16);
  return a.cidr.network === b.cidr.network && a.cidr.prefix === b.cidr.prefix && a.gateway === b.gateway && a.reserved.format(fmt) === b.reserved.format(fmt);
}

function notFound(subnet: string): AllocateFailure {
  return { ok: false, reason: 'SubnetNotFound', message: `subnet ${subnet} is not known to the IPAM` };
}

/** Parses `v4`, `v6` or `v4,v6` into one address per family. */
function parseStaticIps(text: string, subnet: string): Map<Family, bigint> | AllocateFailure {
  const out = new Map<Family, bigint>();
  for (const part of text.split(',')) {
    const ip = parseIp(part);
    if (ip === undefined) return { ok: false, reason: 'InvalidAddress', message: `static IP \`${part}\` for subnet ${subnet} is not a valid IP address` };
    if (out.has(ip.family)) return { ok: false, reason: 'InvalidAddress', message: `static IP \`${text}\` has two IPv${ip.family} addresses; expected "v4,v6"` };
    out.set(ip.family, ip.value);
  }
  return out;
}

function parseStaticMac(text: string | undefined): number | undefined | AllocateFailure {
  if (text === undefined || text === '') return undefined;
  const mac = parseMac(text);
  if (mac === undefined) {
    return { ok: false, reason: 'InvalidAddress', message: `static MAC \`${text}\` is not a unicast MAC; expected e.g. 0a:58:0a:10:00:05` };
  }
  return mac;
}

/** Moves every allocation of `old` onto pools built from `compiled`, or refuses. */
function rebuild(old: SubnetState, compiled: CompiledSubnet, next: SubnetState): UpsertSubnetResult {
  for (const a of old.byKey.values()) {
    for (const [family, text] of [[4, a.v4], [6, a.v6]] as const) {
      if (text === undefined) continue;
      const pool = family === 4 ? next.v4 : next.v6;
      const value = (parseIp(text) as { value: bigint }).value;
      const c = pool?.classify(value, a.key);
      if (pool === undefined || (c?.kind !== 'free' && c?.kind !== 'reserved')) {
        const why = c?.kind === 'gateway' ? 'the new gateway' : `outside the usable range of ${compiled.cidrBlock}`;
        return { ok: false, reason: 'AddressesInUse', message: `subnet ${compiled.name}: ${text} of ${a.key} would be ${why}; release it first` };
      }
      pool.claim(value, a.key);
    }
    next.byKey.set(a.key, { ...a, cidr: compiled.cidrBlock, gateway: compiled.gateway });
  }
  return { ok: true, changed: true, subnet: info(compiled) };
}

class SubnetIpam implements Ipam {
  private readonly random: RandomFill;
  private readonly macAttempts: number;
  private readonly subnetsByName = new Map<string, SubnetState>();
  private readonly detachedClaims = new DetachedClaims();

  constructor(options: IpamOptions) {
    this.random = options.random ?? ((bytes) => crypto.getRandomValues(bytes));
    this.macAttempts = options.macAttempts ?? 64;
  }

  private newState(compiled: CompiledSubnet, old?: SubnetState): SubnetState {
    const pool = (f: FamilySpec | undefined, prev: FamilyPool | undefined) => f && new FamilyPool(f, prev?.releasedRanges());
    return new SubnetState(compiled, pool(compiled.v4, old?.v4), pool(compiled.v6, old?.v6), old?.macs ?? new MacSpace(this.random), this.macAttempts);
  }

  upsertSubnet(spec: SubnetSpec): UpsertSubnetResult {
    const result = compileSubnetSpec(spec);
    if (!result.ok) return result;
    const compiled = result.subnet;
    const old = this.subnetsByName.get(spec.name);
    if (old === undefined) {
      const state = this.newState(compiled);
      this.subnetsByName.set(spec.name, state);
      const refused = this.readmit(state);
      return { ok: true, changed: true, subnet: info(compiled), ...(refused.length === 0 ? {} : { refused }) };
    }
    if (sameFamily(old.compiled.v4, compiled.v4) && sameFamily(old.compiled.v6, compiled.v6)) {
      return { ok: true, changed: false, subnet: info(old.compiled) };
    }
    const next = this.newState(compiled, old);
    const r = rebuild(old, compiled, next);
    if (r.ok) this.subnetsByName.set(spec.name, next);
    return r;
  }

  deleteSubnet(name: string): boolean {
    const s = this.subnetsByName.get(name);
    if (s === undefined) return false;
    this.subnetsByName.delete(name);
    this.detachedClaims.detach(name, s.byKey.values());
    return true;
  }

  /** Re-admits the detached claims of a subnet served again; returns the ones it refused (they stay detached). */
  private readmit(state: SubnetState): RefusedClaim[] {
    return this.detachedClaims.readmit(state.name, (a) => {
      const ips = parseStaticIps(a.ip, state.name);
      const r = ips instanceof Map ? state.assign(a.key, { ips, mac: parseMac(a.mac), fill: false }) : ips;
      return r.ok ? undefined : { key: a.key, ip: a.ip, reason: r.reason, message: r.message };
    });
  }

  hold(key: string, subnet: string, addresses: HoldAddresses): AllocateResult {
    if (this.subnetsByName.has(subnet)) return this.restore(key, subnet, addresses);
    const text = [addresses.v4, addresses.v6].filter((t) => t !== undefined && t !== '').join(',');
    if (text === '') return { ok: false, reason: 'InvalidAddress', message: `claim of ${key} in subnet ${subnet} has no address` };
    const ips = parseStaticIps(text, subnet);
    if (!(ips instanceof Map)) return ips;
    const r = this.detachedClaims.hold(key, subnet, text, addresses);
    if ('held' in r) return r.held;
    const shared = r.conflict.ip.split(',').find((x) => text.split(',').includes(x));
    return { ok: false, reason: 'AddressConflict', message: `${shared ?? r.conflict.ip} is already claimed by ${r.conflict.key} in subnet ${subnet} (not served)`, holder: r.conflict.key };
  }

  keys(): Set<string> {
    const out = new Set<string>();
    for (const s of this.subnetsByName.values()) for (const k of s.byKey.keys()) out.add(k);
    for (const a of this.detachedClaims.all()) out.add(a.key);
    return out;
  }

  detached(): Allocation[] {
    return this.detachedClaims.all();
  }

  subnet(name: string): SubnetInfo | undefined {
    const s = this.subnetsByName.get(name);
    return s && info(s.compiled);
  }

  subnets(): SubnetInfo[] {
    return [...this.subnetsByName.values()].map((s) => info(s.compiled));
  }

  allocate(key: string, subnet: string, opts?: AllocateOptions): AllocateResult {
    const s = this.subnetsByName.get(subnet);
    if (s === undefined) return notFound(subnet);
    if (opts === undefined || (opts.ip === undefined && opts.mac === undefined)) {
      const existing = s.byKey.get(key);
      if (existing === undefined) return s.allocateDynamic(key);
      if (s.isComplete(existing)) return existing;
    }
    const ips = opts?.ip === undefined || opts.ip === '' ? new Map<Family, bigint>() : parseStaticIps(opts.ip, subnet);
    if (!(ips instanceof Map)) return ips;
    const mac = parseStaticMac(opts?.mac);
    if (typeof mac === 'object') return mac;
    return s.assign(key, { ips, mac, fill: true });
  }

  restore(key: string, subnet: string, addresses: RestoreAddresses): AllocateResult {
    const s = this.subnetsByName.get(subnet);
    if (s === undefined) return notFound(subnet);
    const text = [addresses.v4, addresses.v6].filter((t) => t !== undefined && t !== '').join(',');
    const ips = text === '' ? new Map<Family, bigint>() : parseStaticIps(text, subnet);
    if (!(ips instanceof Map)) return ips;
    const mac = parseStaticMac(addresses.mac);
    if (typeof mac === 'object') return mac;
    return s.assign(key, { ips, mac, fill: false });
  }

  release(key: string, subnet?: string): number {
    let n = this.detachedClaims.release(key, subnet);
    if (subnet !== undefined) return n + (this.subnetsByName.get(subnet)?.release(key) === true ? 1 : 0);
    for (const s of this.subnetsByName.values()) if (s.release(key)) n++;
    return n;
  }

  get(key: string, subnet?: string): Allocation | undefined {
    if (subnet !== undefined) return this.subnetsByName.get(subnet)?.byKey.get(key) ?? this.detachedClaims.get(key, subnet);
    for (const s of this.subnetsByName.values()) {
      const a = s.byKey.get(key);
      if (a !== undefined) return a;
    }
    return this.detachedClaims.get(key);
  }

  hasFree(subnet: string): boolean {
    const s = this.subnetsByName.get(subnet);
    return s !== undefined && (s.v4?.hasFree() ?? true) && (s.v6?.hasFree() ?? true);
  }

  usage(subnet: string): SubnetUsage | undefined {
    const s = this.subnetsByName.get(subnet);
    if (s === undefined) return undefined;
    return { v4: s.v4?.usage() ?? EMPTY_USAGE, v6: s.v6?.usage() ?? EMPTY_USAGE };
  }

  subnetOf(ip: string): string | undefined {
    const parsed = parseIp(ip);
    if (parsed === undefined) return undefined;
    for (const s of this.subnetsByName.values()) {
      const f = parsed.family === 4 ? s.compiled.v4 : s.compiled.v6;
      if (f !== undefined && cidrContains(f.cidr, parsed.family, parsed.value)) return s.name;
    }
    return undefined;
  }

  overlaps(cidrBlock: string, except?: string): string[] {
    const cidrs = cidrBlock.split(',').map((t) => parseCidr(t));
    const out: string[] = [];
    for (const s of this.subnetsByName.values()) {
      if (s.name === except) continue;
      const mine = [s.compiled.v4?.cidr, s.compiled.v6?.cidr];
      if (cidrs.some((c) => c !== undefined && mine.some((m) => m !== undefined && cidrOverlaps(c, m)))) out.push(s.name);
    }
    return out;
  }

  stats(subnet: string): SubnetStats | undefined {
    return this.subnetsByName.get(subnet)?.stats();
  }
}

/** Creates an empty IPAM. Methods use `this`: call them on the returned object. */
export function createIpam(options: IpamOptions = {}): Ipam {
  return new SubnetIpam(options);
}
