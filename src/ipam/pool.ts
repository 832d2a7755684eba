/**
 * One address family of one subnet: which addresses are free, released or reserved.
 *
 * Every usable, non-reserved address is in exactly one of: `free` (never handed out in
 * this generation), `released` (given back), or in use. So "in use" needs no per-address
 * structure on the dynamic path: it is the complement. Reserved (excluded) addresses can
 * only be taken by static requests and restores; those few holders are kept in a Map.
 *
 * Order (Kube-OVN's `IPRangeList.Allocate` over `V4Free`/`V4Released`): the lowest free
 * address; when `free` is exhausted, the released addresses become the new free list
 * (lowest first) and releases start a new released list.
 */
import { formatHextets, formatIp, hextetsOf } from './ip.js';
import type { Family } from './ip.js';
import { RangeList } from './range-list.js';
import type { FamilySpec } from './spec.js';

/** How a specific address relates to this pool, for static requests and restores. */
export type Claimability =
  | { readonly kind: 'free' }
  | { readonly kind: 'reserved'; readonly holder: string | undefined }
  | { readonly kind: 'used' }
  | { readonly kind: 'gateway' }
  | { readonly kind: 'outOfRange' };

/** Per-family counts and range strings as in a Subnet's status. */
export interface FamilyUsage {
  readonly availableIPs: bigint;
  readonly usingIPs: bigint;
  readonly availableIPrange: string;
  readonly usingIPrange: string;
}

export class FamilyPool {
  readonly family: Family;
  readonly format: (value: bigint) => string;
  private free: RangeList;
  private released: RangeList;
  private readonly reservedHolders = new Map<bigint, string>();
  // The hot path hands out addresses from a chunk cut off the front of `free` that
  // lies inside one aligned block (2^24 for IPv4, 2^32 for IPv6), so the address is
  // `base + low` with `low` a plain number: no bigint work per allocation.
  // Any other operation first puts the unused rest of the chunk back (`flush`).
  private base = 0n;
  private next = 0;
  private last = -1;
  private readonly groups = [0, 0, 0, 0, 0, 0, 0, 0];
  private v4Prefix = '';

  /** `released` carries the released list over a spec change (claims remove in-use ones). */
  constructor(
    readonly spec: FamilySpec,
    released: RangeList = RangeList.empty(),
  ) {
    this.family = spec.family;
    const family = spec.family;
    this.format = (v) => formatIp(family, v);
    const open = RangeList.of([[spec.first, spec.last]]).subtract(spec.reserved);
    this.released = released.intersect(open);
    this.free = open.subtract(this.released);
  }

  /** True when `takeText()` would return an address. */
  hasFree(): boolean {
    return this.next <= this.last || !this.free.isEmpty() || !this.released.isEmpty();
  }

  /** The next dynamic address as text, or `undefined` when the family is exhausted. */
  takeText(): string | undefined {
    if (this.next > this.last && !this.refill()) return undefined;
    const low = this.next++;
    if (this.family === 4) return `${this.v4Prefix}${low >>> 16}.${(low >>> 8) & 255}.${low & 255}`;
    const g = this.groups;
    g[6] = low >>> 16;
    g[7] = low & 0xffff;
    return formatHextets(g);
  }

  private refill(): boolean {
    if (this.free.isEmpty()) {
      this.free = this.released;
      this.released = RangeList.empty();
    }
    const r = this.free.firstRange();
    if (r === undefined) return false;
    // IPv4 blocks are /8s (first octet fixed) so `low` stays a small integer (a V8 Smi).
    const bits = this.family === 4 ? 24n : 32n;
    const base = (r[0] >> bits) << bits;
    const blockEnd = base + (1n << bits) - 1n;
    const end = r[1] < blockEnd ? r[1] : blockEnd;
    this.free.dropFrontThrough(end);
    this.base = base;
    this.next = Number(r[0] - base);
    this.last = Number(end - base);
    if (this.family === 4) {
      this.v4Prefix = `${Number(base >> 24n)}.`;
    } else {
      const high = hextetsOf(base);
      for (let i = 0; i < 6; i++) this.groups[i] = high[i] as number;
    }
    return true;
  }

  private flush(): void {
    if (this.next <= this.last) this.free.prepend(this.base + BigInt(this.next), this.base + BigInt(this.last));
    this.next = 0;
    this.last = -1;
  }

  classify(value: bigint, key: string): Claimability {
    this.flush();
    const { first, last, gateway, reserved } = this.spec;
    if (value === gateway) return { kind: 'gateway' };
    if (value < first || value > last) return { kind: 'outOfRange' };
    if (reserved.contains(value)) {
      const holder = this.reservedHolders.get(value);
      return { kind: 'reserved', holder: holder === key ? undefined : holder };
    }
    if (this.free.contains(value) || this.released.contains(value)) return { kind: 'free' };
    return { kind: 'used' };
  }

  /** Marks an address as taken by `key`; the caller has classified it as claimable. */
  claim(value: bigint, key: string): void {
    this.flush();
    if (this.spec.reserved.contains(value)) this.reservedHolders.set(value, key);
    else if (!this.free.remove(value)) this.released.remove(value);
  }

  /** Returns an address to the pool: to the released list, or out of the reserved holders. */
  release(value: bigint): void {
    // the chunk is disjoint from `released`, so no flush is needed
    if (this.spec.reserved.contains(value)) this.reservedHolders.delete(value);
    else if (value >= this.spec.first && value <= this.spec.last) this.released.add(value);
  }

  releasedRanges(): RangeList {
    return this.released;
  }

  /** Addresses in use outside the reserved set. */
  private usingRanges(): RangeList {
    return RangeList.of([[this.spec.first, this.spec.last]]).subtract(this.spec.reserved).subtract(this.free).subtract(this.released);
  }

  usage(): FamilyUsage {
    this.flush();
    const available = this.free.union(this.released);
    const using = this.usingRanges();
    return {
      availableIPs: available.count(),
      usingIPs: using.count(),
      availableIPrange: available.format(this.format),
      usingIPrange: using.format(this.format),
    };
  }

  /** Range counts: memory is proportional to these, never to the prefix size. */
  stats(): { freeRanges: number; releasedRanges: number; reservedRanges: number; reservedHeld: number } {
    this.flush();
    return {
      freeRanges: this.free.rangeCount,
      releasedRanges: this.released.rangeCount,
      reservedRanges: this.spec.reserved.rangeCount,
      reservedHeld: this.reservedHolders.size,
    };
  }
}
