/**
 * `subnet_available_ip_count` / `subnet_used_ip_count` read from the current IPAM at
 * collection time: a deleted subnet has no point in the next collection.
 */
import type { Ipam } from '../../ipam/index.js';
import type { AddStateGauge, StatePoint } from '../../telemetry/instruments.js';

/** One point per subnet and family it has, labels `subnet_name`, `protocol` (`IPv4`/`IPv6`), `subnet_cidr`. */
export function subnetUsagePoints(ipam: Ipam | undefined, which: 'available' | 'used'): StatePoint[] {
  if (ipam === undefined) return [];
  const out: StatePoint[] = [];
  for (const subnet of ipam.subnets()) {
    const usage = ipam.usage(subnet.name);
    if (usage === undefined) continue;
    for (const cidr of subnet.cidrBlock.split(',')) {
      const v6 = cidr.includes(':');
      const family = v6 ? usage.v6 : usage.v4;
      const value = Number(which === 'available' ? family.availableIPs : family.usingIPs);
      out.push({ attributes: { subnet_name: subnet.name, protocol: v6 ? 'IPv6' : 'IPv4', subnet_cidr: cidr }, value });
    }
  }
  return out;
}

/** Registers both gauges over whatever IPAM `current()` returns (none on a standby); returns the remover. */
export function registerSubnetGauges(addStateGauge: AddStateGauge | undefined, current: () => Ipam | undefined): () => void {
  if (addStateGauge === undefined) return () => {};
  const removers = [
    addStateGauge('subnetAvailableIps', () => safe(() => subnetUsagePoints(current(), 'available'))),
    addStateGauge('subnetUsedIps', () => safe(() => subnetUsagePoints(current(), 'used'))),
  ];
  return () => removers.forEach((remove) => remove());
}

// A source must never throw (it runs inside the SDK's collection).
function safe(fn: () => StatePoint[]): StatePoint[] {
  try {
    return fn();
  } catch {
    return [];
  }
}
