/**
 * Claims held for subnets the IPAM does not serve right now (DESIGN §7a): the allocations of a
 * subnet whose object vanished while live pods hold them, and claims a rebuild found before their
 * subnet. Never handed out again; re-admitted first when the subnet is served again.
 */
import type { Allocation, HoldAddresses } from './types.js';

export class DetachedClaims {
  /** subnet -> key -> claim. */
  private readonly bySubnet = new Map<string, Map<string, Allocation>>();

  /** Keeps every allocation of a subnet that stops being served. */
  detach(subnet: string, allocations: Iterable<Allocation>): void {
    const claims = this.bySubnet.get(subnet) ?? new Map<string, Allocation>();
    for (const a of allocations) claims.set(a.key, a);
    if (claims.size > 0) this.bySubnet.set(subnet, claims);
  }

  /**
   * Records a claim of `key` on `text` (`v4`, `v6` or `v4,v6`, already validated); the key
   * holding one of those addresses in this subnet when another key claims it, else undefined.
   */
  hold(key: string, subnet: string, text: string, addresses: HoldAddresses): { conflict: Allocation } | { held: Allocation } {
    const claims = this.bySubnet.get(subnet) ?? new Map<string, Allocation>();
    const parts = text.split(',');
    for (const other of claims.values()) {
      if (other.key !== key && other.ip.split(',').some((x) => parts.includes(x))) return { conflict: other };
    }
    const v4 = parts.find((x) => !x.includes(':'));
    const v6 = parts.find((x) => x.includes(':'));
    const held: Allocation = { ok: true, key, subnet, v4, v6, ip: text, mac: addresses.mac ?? '', cidr: addresses.cidr ?? '', gateway: addresses.gateway ?? '' };
    claims.set(key, held);
    this.bySubnet.set(subnet, claims);
    return { held };
  }

  /** Hands the claims of `subnet` to `admit`; the ones it refuses stay detached and are returned. */
  readmit<R>(subnet: string, admit: (a: Allocation) => R | undefined): R[] {
    const claims = this.bySubnet.get(subnet);
    if (claims === undefined) return [];
    const refused: R[] = [];
    for (const a of claims.values()) {
      const r = admit(a);
      if (r === undefined) claims.delete(a.key);
      else refused.push(r);
    }
    if (claims.size === 0) this.bySubnet.delete(subnet);
    return refused;
  }

  /** Drops the key's claims (in one subnet, or all); how many. */
  release(key: string, subnet?: string): number {
    let n = 0;
    for (const [name, claims] of this.bySubnet) {
      if ((subnet === undefined || subnet === name) && claims.delete(key)) n++;
      if (claims.size === 0) this.bySubnet.delete(name);
    }
    return n;
  }

  get(key: string, subnet?: string): Allocation | undefined {
    if (subnet !== undefined) return this.bySubnet.get(subnet)?.get(key);
    for (const claims of this.bySubnet.values()) {
      const a = claims.get(key);
      if (a !== undefined) return a;
    }
    return undefined;
  }

  all(): Allocation[] {
    return [...this.bySubnet.values()].flatMap((m) => [...m.values()]);
  }
}
