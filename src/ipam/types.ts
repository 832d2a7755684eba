/** Public result and option types of the IPAM. */
import type { FamilyUsage } from './pool.js';
import type { SubnetSpecError } from './spec.js';

/** Why an allocation or restore failed (Kube-OVN's error names, plus two of ours). */
export type AllocateFailureReason =
  | 'NoAvailableAddress'
  | 'AddressConflict'
  | 'AddressOutOfRange'
  | 'CIDRInvalid'
  | 'SubnetNotFound'
  /** A static IP or MAC that does not parse (Kube-OVN fails these with a parse error). */
  | 'InvalidAddress';

/** Every failure reason, for closed-set metric labels and exhaustive mapping. */
export const ALLOCATE_FAILURE_REASONS: readonly AllocateFailureReason[] = [
  'NoAvailableAddress',
  'AddressConflict',
  'AddressOutOfRange',
  'CIDRInvalid',
  'SubnetNotFound',
  'InvalidAddress',
];

/**
 * An allocation of one key (a pod `ns/name`) in one subnet. The same object is
 * returned again for an idempotent re-allocation; treat it as immutable.
 */
export interface Allocation {
  readonly ok: true;
  readonly key: string;
  readonly subnet: string;
  readonly v4: string | undefined;
  readonly v6: string | undefined;
  /** `v4,v6`, `v4` or `v6`: the value of `ovn.kubernetes.io/ip_address`. */
  readonly ip: string;
  /** Lowercase `aa:bb:cc:dd:ee:ff`. */
  readonly mac: string;
  /** The subnet's normalised cidrBlock (`ovn.kubernetes.io/cidr`). */
  readonly cidr: string;
  /** The subnet's normalised gateway (`ovn.kubernetes.io/gateway`). */
  readonly gateway: string;
}

export interface AllocateFailure {
  readonly ok: false;
  readonly reason: AllocateFailureReason;
  /** For a person: names the address, the subnet and what is accepted. */
  readonly message: string;
  /** For `AddressConflict`: the key holding the address or MAC, when it is a key. */
  readonly holder?: string;
}

export type AllocateResult = Allocation | AllocateFailure;

export interface AllocateOptions {
  /** Static IP(s): `v4`, `v6` or `v4,v6`. In a dual subnet a missing family is allocated dynamically. */
  readonly ip?: string;
  /** Static MAC. */
  readonly mac?: string;
}

export interface RestoreAddresses {
  readonly v4?: string;
  readonly v6?: string;
  /** Absent: a new random MAC is generated. */
  readonly mac?: string;
}

/** A claim found outside (an `IP` object, annotations); cidr/gateway as recorded, for a subnet not served. */
export interface HoldAddresses extends RestoreAddresses {
  readonly cidr?: string;
  readonly gateway?: string;
}

/** A detached claim a subnet served again could not re-admit (it stays held, detached). */
export interface RefusedClaim {
  readonly key: string;
  readonly ip: string;
  readonly reason: AllocateFailureReason;
  readonly message: string;
}

export interface SubnetInfo {
  readonly name: string;
  readonly cidrBlock: string;
  readonly gateway: string;
  readonly protocol: 'IPv4' | 'IPv6' | 'Dual';
}

export type UpsertSubnetResult =
  | {
      readonly ok: true;
      readonly changed: boolean;
      readonly subnet: SubnetInfo;
      /** Detached claims of this subnet it could not re-admit (conflicts to report). */
      readonly refused?: readonly RefusedClaim[];
    }
  | SubnetSpecError
  /** The new CIDR/gateway/excludes leave an address in use outside the usable range. */
  | { readonly ok: false; readonly reason: 'AddressesInUse'; readonly message: string };

/**
 * A Subnet's status address fields. Counts are `bigint` (a /64 has 2^64-2 addresses);
 * Kube-OVN's CRD types them `number`, so write `Number(n)` (what the API server keeps
 * anyway: it decodes JSON numbers to float64).
 */
export interface SubnetUsage {
  readonly v4: FamilyUsage;
  readonly v6: FamilyUsage;
}

export interface FamilyStats {
  readonly freeRanges: number;
  readonly releasedRanges: number;
  readonly reservedRanges: number;
  readonly reservedHeld: number;
}

/** Structure sizes: memory is proportional to these numbers, never to prefix size. */
export interface SubnetStats {
  readonly allocations: number;
  readonly macs: number;
  readonly v4: FamilyStats | undefined;
  readonly v6: FamilyStats | undefined;
}
