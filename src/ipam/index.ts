/** Pure address management: CIDR math, allocator, MACs. No I/O, no imports outside this folder. */
export { cidrContains, cidrOverlaps, formatCidr, parseCidr, usableRange } from './cidr.js';
export type { Cidr } from './cidr.js';
export { familyBits, formatIp, formatIpv4, formatIpv6, parseIp, parseIpv4Number, parseIpv6 } from './ip.js';
export type { Family, ParsedIp } from './ip.js';
export { createIpam } from './ipam.js';
export type { Ipam, IpamOptions } from './ipam.js';
export { MacSet, formatMac, parseMac } from './mac.js';
export { MacSpace } from './mac-space.js';
export type { RandomFill } from './mac.js';
export type { FamilyUsage } from './pool.js';
export { RangeList } from './range-list.js';
export type { Range } from './range-list.js';
export { compileSubnetSpec, formatSubnetSpec, parseExcludeIps } from './spec.js';
export type { CompiledSubnet, FamilySpec, SubnetSpec, SubnetSpecError } from './spec.js';
export { ALLOCATE_FAILURE_REASONS } from './types.js';
export type {
  AllocateFailure,
  AllocateFailureReason,
  AllocateOptions,
  AllocateResult,
  Allocation,
  FamilyStats,
  HoldAddresses,
  RefusedClaim,
  RestoreAddresses,
  SubnetInfo,
  SubnetStats,
  SubnetUsage,
  UpsertSubnetResult,
} from './types.js';
