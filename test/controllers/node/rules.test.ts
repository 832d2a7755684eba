// Pure rules of the node reconciler and the northbound wiring (issue 11).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { internalIps, isNodeIp, nodeAnnotationPatch, nodeIpObject, readNodeAllocation, slimNode } from '../../../src/controllers/node/rules.js';
import { nodeSwitchGateways, subnetSpecOf } from '../../../src/controllers/ovn/desired.js';
import { podPortSpec } from '../../../src/controllers/ovn/pod-network.js';
import { joinSubnetObject } from '../../../src/controllers/subnet/default-subnet.js';
import type { Allocation } from '../../../src/ipam/index.js';
import { OVN_OFF } from '../../support/ovn/config.js';

const JOIN: Allocation = { ok: true, key: 'node-kube-1', subnet: 'join', v4: '100.64.0.2', v6: undefined, ip: '100.64.0.2', mac: '0a:00:00:00:00:02', cidr: '100.64.0.0/16', gateway: '100.64.0.1' };
const node = (annotations?: Record<string, string>) => ({
  metadata: { name: 'kube-1', ...(annotations === undefined ? {} : { annotations }) },
  status: { addresses: [{ type: 'Hostname', address: 'kube-1' }, { type: 'InternalIP', address: 'fd00::11' }, { type: 'InternalIP', address: '172.18.0.11' }] },
});

describe('node rules', () => {
  it('reads InternalIPs v4 first and ignores other address types', () => {
    assert.deepEqual(internalIps(node()), ['172.18.0.11', 'fd00::11']);
  });

  it('writes the seven annotations the CNI daemon waits for in one patch, and nothing once they match', () => {
    const patch = nodeAnnotationPatch(node(), JOIN);
    assert.deepEqual(patch?.metadata.annotations, {
      'ovn.kubernetes.io/ip_address': '100.64.0.2',
      'ovn.kubernetes.io/mac_address': '0a:00:00:00:00:02',
      'ovn.kubernetes.io/cidr': '100.64.0.0/16',
      'ovn.kubernetes.io/gateway': '100.64.0.1',
      'ovn.kubernetes.io/logical_switch': 'join',
      'ovn.kubernetes.io/port_name': 'node-kube-1',
      'ovn.kubernetes.io/allocated': 'true',
    });
    assert.equal(nodeAnnotationPatch(node(patch?.metadata.annotations), JOIN), undefined);
  });

  it('restores a join address only from annotations of the configured join switch', () => {
    const a = nodeAnnotationPatch(node(), JOIN)?.metadata.annotations ?? {};
    assert.deepEqual(readNodeAllocation(node(a), 'join'), { v4: '100.64.0.2', mac: '0a:00:00:00:00:02' });
    assert.equal(readNodeAllocation(node(a), 'other-join'), undefined);
    assert.equal(readNodeAllocation(node({ ...a, 'ovn.kubernetes.io/allocated': 'false' }), 'join'), undefined);
  });

  it("names the node's IP object node-<node> and tells it apart from pods' IP objects, dots included", () => {
    const ip = nodeIpObject('kube-1.example.com', JOIN);
    assert.equal(ip.metadata.name, 'node-kube-1.example.com');
    assert.equal(isNodeIp(ip), true);
    assert.equal(isNodeIp({ metadata: { name: 'web-0.default' }, spec: { podName: 'web-0', namespace: 'default', nodeName: 'kube-1' } }), false);
  });

  it('keeps only name, annotations and addresses in the cache', () => {
    const slim = slimNode({ ...node(), metadata: { ...node().metadata, managedFields: [{}] }, status: { ...node().status, images: [{}] } } as never);
    assert.deepEqual(Object.keys(slim.metadata).sort(), ['name', 'resourceVersion', 'uid']);
    assert.deepEqual(Object.keys(slim.status ?? {}), ['addresses']);
    const annotated = slimNode({ ...node({ 'ovn.kubernetes.io/allocated': 'true', 'node.alpha.kubernetes.io/ttl': '0' }) } as never);
    assert.deepEqual(annotated.metadata.annotations, { 'ovn.kubernetes.io/allocated': 'true' }, 'only ovn.kubernetes.io/* annotations are cached');
  });
});

describe('northbound wiring', () => {
  it("creates the join Subnet from the node switch flags as Kube-OVN's initNodeSwitch does", () => {
    assert.deepEqual(joinSubnetObject(OVN_OFF).spec, { cidrBlock: '100.64.0.0/16', protocol: 'IPv4', provider: 'ovn', vpc: 'ovn-cluster', default: false });
    assert.deepEqual((joinSubnetObject({ ...OVN_OFF, nodeSwitchGateway: '100.64.0.254' }).spec as { excludeIps?: string[] }).excludeIps, ['100.64.0.254']);
  });

  it('resolves the node switch gateways: the flag, else the first address per family', () => {
    assert.deepEqual(nodeSwitchGateways(OVN_OFF), ['100.64.0.1']);
    assert.deepEqual(nodeSwitchGateways({ ...OVN_OFF, nodeSwitchCidr: '100.64.0.0/16,fd00:100:64::/112' }), ['100.64.0.1', 'fd00:100:64::1']);
    assert.deepEqual(nodeSwitchGateways({ ...OVN_OFF, nodeSwitchGateway: '100.64.0.254' }), ['100.64.0.254']);
  });

  it('pairs subnet CIDRs and gateways by family and lists pod addresses v4 first', () => {
    assert.deepEqual(subnetSpecOf({ name: 'd', cidrBlock: '10.66.0.0/24,fd00:66::/120', gateway: '10.66.0.1,fd00:66::1', protocol: 'Dual' }), { name: 'd', cidrs: ['10.66.0.0/24', 'fd00:66::/120'], gateways: ['10.66.0.1', 'fd00:66::1'] });
    const a: Allocation = { ...JOIN, key: 'demo/web.0', subnet: 'd', v4: '10.66.0.10', v6: 'fd00:66::2', ip: '10.66.0.10,fd00:66::2' };
    assert.deepEqual(podPortSpec('demo/web.0', a), { namespace: 'demo', pod: 'web.0', subnet: 'd', mac: JOIN.mac, ips: ['10.66.0.10', 'fd00:66::2'] });
  });
});
