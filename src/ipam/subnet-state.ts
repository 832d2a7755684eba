/**
 * One subnet's allocations: the per-family pools, the key -> allocation map and the
 * MAC set. Requests are planned without mutation, then committed, so a failure in
 * one family (or the MAC) never leaks an address of the other.
 */
import { parseIp } from './ip.js';
import type { Family } from './ip.js';
import { formatMac, parseMac } from './mac.js';
import type { MacSpace } from './mac-space.js';
import type { FamilyPool } from './pool.js';
import type { CompiledSubnet } from './spec.js';
import type { AllocateFailure, AllocateFailureReason, AllocateResult, Allocation, SubnetStats } from './types.js';

/** What to do for one family when committing. */
type FamilyPlan = { kind: 'keep' } | { kind: 'none' } | { kind: 'take' } | { kind: 'claim'; value: bigint; text: string };

interface Request {
  readonly ips: ReadonlyMap<Family, bigint>;
  readonly mac: number | undefined;
  /** restore records exactly what it is given; allocate fills missing families. */
  readonly fill: boolean;
}

function failure(reason: AllocateFailureReason, message: string, holder?: string): AllocateFailure {
  return holder === undefined ? { ok: false, reason, message } : { ok: false, reason, message, holder };
}

export class SubnetState {
  readonly byKey = new Map<string, Allocation>();

  /** `macs` outlives a spec change: the allocations, and so their MACs, carry over. */
  constructor(
    public compiled: CompiledSubnet,
    public v4: FamilyPool | undefined,
    public v6: FamilyPool | undefined,
    readonly macs: MacSpace,
    private readonly macAttempts: number,
  ) {}

  get name(): string {
    return this.compiled.name;
  }

  /** True when the allocation has an address for every family of the subnet. */
  isComplete(a: Allocation): boolean {
    return (this.v4 === undefined || a.v4 !== undefined) && (this.v6 === undefined || a.v6 !== undefined);
  }

  /** The hot path: lowest free address per family and a random MAC. */
  allocateDynamic(key: string): AllocateResult {
    const p4 = this.v4;
    const p6 = this.v6;
    if (p4 !== undefined && !p4.hasFree()) return this.exhausted(4);
    if (p6 !== undefined && !p6.hasFree()) return this.exhausted(6);
    const mac = this.macs.generate(this.macAttempts);
    if (mac === undefined) return this.macExhausted();
    const v4 = p4?.takeText();
    const v6 = p6?.takeText();
    return this.record(key, v4, v6, formatMac(mac));
  }

  /** Static IP/MAC requests and restores; `existing` is updated in place of being duplicated. */
  assign(key: string, req: Request): AllocateResult {
    const existing = this.byKey.get(key);
    const plan4 = this.planFamily(this.v4, 4, key, req, existing?.v4);
    if ('ok' in plan4) return plan4;
    const plan6 = this.planFamily(this.v6, 6, key, req, existing?.v6);
    if ('ok' in plan6) return plan6;
    const existingMac = existing === undefined ? undefined : parseMac(existing.mac);
    let mac = req.mac ?? existingMac;
    if (mac !== undefined && mac !== existingMac && this.macs.has(mac)) {
      const text = formatMac(mac);
      const holder = this.findHolder((a) => a.mac === text);
      return failure('AddressConflict', `MAC ${text} is already used by ${holder ?? 'another allocation'} in subnet ${this.name}`, holder);
    }
    const generated = mac === undefined;
    mac ??= this.macs.generate(this.macAttempts);
    if (mac === undefined) return this.macExhausted();
    const v4 = this.commitFamily(this.v4, plan4, existing?.v4, key);
    const v6 = this.commitFamily(this.v6, plan6, existing?.v6, key);
    if (mac !== existingMac) {
      if (existingMac !== undefined) this.macs.delete(existingMac);
      if (!generated) this.macs.add(mac);
    } else if (existing !== undefined && v4 === existing.v4 && v6 === existing.v6) {
      return existing; // nothing changed: the same object, as for a plain re-allocation
    }
    return this.record(key, v4, v6, formatMac(mac));
  }

  private planFamily(
    pool: FamilyPool | undefined,
    family: Family,
    key: string,
    req: Request,
    current: string | undefined,
  ): FamilyPlan | AllocateFailure {
    const wanted = req.ips.get(family);
    if (wanted === undefined) {
      if (current !== undefined) return { kind: 'keep' };
      if (pool === undefined || !req.fill) return { kind: 'none' };
      return pool.hasFree() ? { kind: 'take' } : this.exhausted(family);
    }
    if (pool === undefined) {
      return failure('AddressOutOfRange', `IPv${family} address requested, but subnet ${this.name} (${this.compiled.cidrBlock}) has no IPv${family} CIDR`);
    }
    const text = pool.format(wanted);
    if (text === current) return { kind: 'keep' };
    const where = `subnet ${this.name} (${this.compiled.cidrBlock})`;
    const c = pool.classify(wanted, key);
    switch (c.kind) {
      case 'free':
        return { kind: 'claim', value: wanted, text };
      case 'reserved':
        if (c.holder === undefined) return { kind: 'claim', value: wanted, text };
        return failure('AddressConflict', `${text} is already used by ${c.holder} in ${where}`, c.holder);
      case 'gateway':
        return failure('AddressConflict', `${text} is the gateway of ${where}`);
      case 'outOfRange':
        return failure('AddressOutOfRange', `${text} is not a usable address of ${where}`);
      case 'used': {
        const holder = this.findHolder((a) => (family === 4 ? a.v4 : a.v6) === text);
        return failure('AddressConflict', `${text} is already used by ${holder ?? 'another allocation'} in ${where}`, holder);
      }
    }
  }

  private commitFamily(pool: FamilyPool | undefined, plan: FamilyPlan, current: string | undefined, key: string): string | undefined {
    if (pool === undefined || plan.kind === 'none') return undefined;
    if (plan.kind === 'keep') return current;
    if (current !== undefined) pool.release((parseIp(current) as { value: bigint }).value);
    if (plan.kind === 'claim') {
      pool.claim(plan.value, key);
      return plan.text;
    }
    return pool.takeText();
  }

  /** Gives back everything held by the key; false when it held nothing here. */
  release(key: string): boolean {
    const a = this.byKey.get(key);
    if (a === undefined) return false;
    this.byKey.delete(key);
    if (a.v4 !== undefined) this.v4?.release((parseIp(a.v4) as { value: bigint }).value);
    if (a.v6 !== undefined) this.v6?.release((parseIp(a.v6) as { value: bigint }).value);
    const mac = parseMac(a.mac);
    if (mac !== undefined) this.macs.delete(mac);
    return true;
  }

  private record(key: string, v4: string | undefined, v6: string | undefined, mac: string): Allocation {
    const c = this.compiled;
    const ip = v4 === undefined ? (v6 ?? '') : v6 === undefined ? v4 : `${v4},${v6}`;
    const a: Allocation = { ok: true, key, subnet: c.name, v4, v6, ip, mac, cidr: c.cidrBlock, gateway: c.gateway };
    this.byKey.set(key, a);
    return a;
  }

  // O(allocations): only on the conflict path, so the hot path keeps no address -> key index.
  private findHolder(match: (a: Allocation) => boolean): string | undefined {
    for (const a of this.byKey.values()) if (match(a)) return a.key;
    return undefined;
  }

  private exhausted(family: Family): AllocateFailure {
    return failure('NoAvailableAddress', `subnet ${this.name} (${this.compiled.cidrBlock}) has no free IPv${family} address`);
  }

  private macExhausted(): AllocateFailure {
    return failure('NoAvailableAddress', `no unique MAC after ${this.macAttempts} tries in subnet ${this.name}: each one generated was claimed by a static or restored MAC`);
  }

  stats(): SubnetStats {
    return { allocations: this.byKey.size, macs: this.macs.size, v4: this.v4?.stats(), v6: this.v6?.stats() };
  }
}

export type { Request as AssignRequest };
