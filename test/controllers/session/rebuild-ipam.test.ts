import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createIpam } from '../../../src/ipam/index.js';
import { rebuildIpam } from '../../../src/controllers/session/rebuild-ipam.js';
import type { IpObject } from '../../../src/controllers/context.js';
import type { Pod } from '../../../src/controllers/pod/rules.js';
import type { SubnetObject } from '../../../src/controllers/subnet/rules.js';

const NOW = Date.parse('2026-01-02T03:04:05Z');

function subnetObj(name: string, cidrBlock: string, createdAt = '2026-01-01T00:00:00Z'): SubnetObject {
  return { metadata: { name, creationTimestamp: createdAt }, spec: { cidrBlock } };
}

function allocatedPod(name: string, subnet: string, ip: string, extra: { phase?: string; restartPolicy?: string; cidr?: string } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'ns',
      annotations: {
        'ovn.kubernetes.io/allocated': 'true',
        'ovn.kubernetes.io/logical_switch': subnet,
        'ovn.kubernetes.io/ip_address': ip,
        'ovn.kubernetes.io/mac_address': '0a:00:00:00:00:' + name.slice(-2).padStart(2, '0'),
        ...(extra.cidr === undefined ? {} : { 'ovn.kubernetes.io/cidr': extra.cidr }),
      },
    },
    spec: { ...(extra.restartPolicy === undefined ? {} : { restartPolicy: extra.restartPolicy }) },
    status: { phase: extra.phase ?? 'Running' },
  };
}

function ipObj(pod: string, subnet: string, ip: string): IpObject {
  return { metadata: { name: `${pod}.ns` }, spec: { podName: pod, namespace: 'ns', subnet, ipAddress: ip, v4IpAddress: ip, macAddress: '0a:00:00:00:01:01' } };
}

function setup() {
  return createIpam({ random: (b) => b.fill(9) });
}

describe('IPAM rebuild', () => {
  it('restores every live pod from its annotations, so new allocations avoid them', () => {
    const ipam = setup();
    const report = rebuildIpam(ipam, { subnets: [subnetObj('s', '10.0.0.0/24')], ips: [], pods: [allocatedPod('p01', 's', '10.0.0.2'), allocatedPod('p02', 's', '10.0.0.3')], nowMs: NOW });
    assert.deepEqual({ subnets: report.subnets, restored: report.restored, conflicts: report.conflicts.length }, { subnets: 1, restored: 2, conflicts: 0 });
    assert.equal(ipam.get('ns/p01')?.mac, '0a:00:00:00:00:01');
    const fresh = ipam.allocate('ns/new', 's');
    assert.equal(fresh.ok && fresh.ip, '10.0.0.4');
  });

  it('does not restore finished pods', () => {
    const ipam = setup();
    const report = rebuildIpam(ipam, { subnets: [subnetObj('s', '10.0.0.0/24')], ips: [], pods: [allocatedPod('p01', 's', '10.0.0.2', { phase: 'Succeeded', restartPolicy: 'Never' })], nowMs: NOW });
    assert.equal(report.restored, 0);
    assert.equal(ipam.get('ns/p01'), undefined);
  });

  it('fills in from IP objects for live pods whose annotations are missing, and ignores IP objects of gone pods', () => {
    const ipam = setup();
    const bare: Pod = { metadata: { name: 'p01', namespace: 'ns' }, spec: {}, status: { phase: 'Running' } };
    const report = rebuildIpam(ipam, { subnets: [subnetObj('s', '10.0.0.0/24')], ips: [ipObj('p01', 's', '10.0.0.7'), ipObj('gone', 's', '10.0.0.8')], pods: [bare], nowMs: NOW });
    assert.equal(report.restored, 1);
    assert.equal(ipam.get('ns/p01')?.ip, '10.0.0.7');
    assert.equal(ipam.get('ns/gone'), undefined);
  });

  it('reports two live pods claiming one address as a conflict and never double-assigns', () => {
    const ipam = setup();
    const report = rebuildIpam(ipam, { subnets: [subnetObj('s', '10.0.0.0/24')], ips: [], pods: [allocatedPod('p01', 's', '10.0.0.2'), allocatedPod('p02', 's', '10.0.0.2')], nowMs: NOW });
    assert.equal(report.restored, 1);
    assert.deepEqual(report.conflicts.map((c) => [c.key, c.reason]), [['ns/p02', 'AddressConflict']]);
    assert.equal(ipam.get('ns/p02'), undefined);
  });

  it('takes an IP object over edited annotations (issue 10 case 1: the IP object is the record)', () => {
    const ipam = setup();
    const edited = allocatedPod('p01', 's', '10.0.0.77');
    const report = rebuildIpam(ipam, { subnets: [subnetObj('s', '10.0.0.0/24')], ips: [ipObj('p01', 's', '10.0.0.2')], pods: [edited], nowMs: NOW });
    assert.equal(report.restored, 1);
    assert.equal(ipam.get('ns/p01')?.ip, '10.0.0.2');
    const fresh = ipam.allocate('ns/new', 's');
    assert.equal(fresh.ok && fresh.ip, '10.0.0.3', 'the held .2 is never handed to a new pod');
  });

  it('holds the claims of a subnet that vanished and re-admits them when it returns (issue 10 case 2)', () => {
    const ipam = setup();
    const report = rebuildIpam(ipam, { subnets: [], ips: [ipObj('p01', 'team', '10.70.0.2')], pods: [allocatedPod('p01', 'team', '10.70.0.2', { cidr: '10.70.0.0/24' })], nowMs: NOW });
    assert.deepEqual([report.restored, report.conflicts.length], [1, 0]);
    assert.deepEqual(ipam.detached().map((a) => [a.key, a.ip, a.cidr]), [['ns/p01', '10.70.0.2', '10.70.0.0/24']]);
    ipam.upsertSubnet({ name: 'team', cidrBlock: '10.70.0.0/24' });
    const next = ipam.allocate('ns/p02', 'team');
    assert.equal(next.ok && next.ip, '10.70.0.3');
  });

  it('reports two IP objects claiming one address, keeping the first', () => {
    const ipam = setup();
    const pods = [allocatedPod('p01', 's', '10.0.0.2'), allocatedPod('p02', 's', '10.0.0.2')];
    const report = rebuildIpam(ipam, { subnets: [subnetObj('s', '10.0.0.0/24')], ips: [ipObj('p01', 's', '10.0.0.2'), ipObj('p02', 's', '10.0.0.2')], pods, nowMs: NOW });
    assert.deepEqual(report.conflicts.map((c) => [c.key, c.reason]), [['ns/p02', 'AddressConflict']]);
    assert.equal(ipam.get('ns/p01')?.ip, '10.0.0.2');
  });

  it('loads a subnet holding addresses before an older overlapping one', () => {
    const ipam = setup();
    const subnets = [subnetObj('older', '10.0.0.0/16', '2026-01-01T00:00:00Z'), subnetObj('serving', '10.0.1.0/24', '2026-01-02T00:00:00Z')];
    rebuildIpam(ipam, { subnets, ips: [], pods: [allocatedPod('p01', 'serving', '10.0.1.2')], nowMs: NOW });
    assert.deepEqual(ipam.subnets().map((s) => s.name), ['serving']);
  });

  it('serves the CIDR the pods were addressed from when the spec holds a refused change', () => {
    const ipam = setup();
    rebuildIpam(ipam, { subnets: [subnetObj('s', '10.9.0.0/24')], ips: [], pods: [allocatedPod('p01', 's', '10.8.0.2', { cidr: '10.8.0.0/24' })], nowMs: NOW });
    assert.equal(ipam.subnet('s')?.cidrBlock, '10.8.0.0/24');
    assert.equal(ipam.get('ns/p01')?.ip, '10.8.0.2');
  });

  it('rebuilds 10,000 allocated pods quickly', () => {
    const ipam = setup();
    const pods = Array.from({ length: 10_000 }, (_, i) => {
      const p = allocatedPod(`p${i}`, 's', `10.16.${Math.floor((i + 2) / 256)}.${(i + 2) % 256}`);
      p.metadata.annotations!['ovn.kubernetes.io/mac_address'] = `0a:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
      return p;
    });
    const started = performance.now();
    const report = rebuildIpam(ipam, { subnets: [subnetObj('s', '10.16.0.0/16')], ips: [], pods, nowMs: NOW });
    const ms = performance.now() - started;
    assert.equal(report.restored, 10_000);
    assert.ok(ms < 1500, `rebuild took ${Math.round(ms)} ms`);
  });
});
