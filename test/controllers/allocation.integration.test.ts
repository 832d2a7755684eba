import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../../src/kube/index.js';
import { allocatedPod, defaultSubnetReady, annotations, createNamespace, listEvents, managerReady, runManager, startEnv, testConfig, until } from './support.js';
import { podObject, subnetObject } from '../support/objects.js';
import { createMetricsHarness } from '../support/metrics.js';
import type { Env, RunningManager } from './support.js';
import type { KubeObject } from '../../src/kube/index.js';

let env: Env;
let running: RunningManager;
const telemetry = createMetricsHarness();

before(async () => {
  env = await startEnv();
  running = runManager(env, { config: testConfig({ workerNum: 4 }), instruments: telemetry.instruments, addStateGauge: telemetry.addStateGauge });
  await defaultSubnetReady(env, running);
});
after(async () => {
  assert.equal(await running.stop(), 'stopped');
  await env.close();
});

function ipv4(text: string): number {
  return text.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

describe('pod address allocation against the local API server', () => {
  it('creates the default subnet with defaults, finalizer and Ready conditions', async () => {
    const s = await until(async () => {
      const obj = await env.client.get(RESOURCES.subnets, 'ovn-default');
      const status = obj['status'] as { conditions?: Array<{ type: string; status: string }> } | undefined;
      return status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true ? obj : undefined;
    }, 'ovn-default ready');
    const spec = s['spec'] as Record<string, unknown>;
    assert.deepEqual({ cidrBlock: spec['cidrBlock'], gateway: spec['gateway'], excludeIps: spec['excludeIps'], protocol: spec['protocol'], provider: spec['provider'] }, {
      cidrBlock: '10.16.0.0/16',
      gateway: '10.16.0.1',
      excludeIps: ['10.16.0.1'],
      protocol: 'IPv4',
      provider: 'ovn',
    });
    assert.deepEqual(s.metadata.finalizers, ['kubeovn.io/kube-ovn-controller']);
    const conditions = (s['status'] as { conditions: Array<{ type: string; status: string; observedGeneration: number }> }).conditions;
    assert.deepEqual(conditions.map((c) => [c.type, c.status]), [['Error', 'False'], ['Ready', 'True'], ['Validated', 'True']]);
    assert.ok(conditions.every((c) => c.observedGeneration === s.metadata.generation));
  });

  it('gives pods distinct in-range addresses with exact annotations and IP objects', async () => {
    await createNamespace(env.client, 'alloc');
    const names = Array.from({ length: 20 }, (_, i) => `p${i}`);
    await Promise.all(names.map((n) => env.client.create(RESOURCES.pods, podObject('alloc', n, { nodeName: 'node-7' }))));
    const pods = await Promise.all(names.map((n) => allocatedPod(env.client, 'alloc', n)));
    const ips = pods.map((p) => annotations(p)['ovn.kubernetes.io/ip_address'] ?? '');
    assert.equal(new Set(ips).size, ips.length, 'addresses are distinct');
    for (const ip of ips) assert.ok(ipv4(ip) > ipv4('10.16.0.1') && ipv4(ip) < ipv4('10.16.255.255'), `${ip} is a usable address of 10.16.0.0/16`);
    const a = annotations(pods[0] as KubeObject);
    assert.equal(a['ovn.kubernetes.io/cidr'], '10.16.0.0/16');
    assert.equal(a['ovn.kubernetes.io/gateway'], '10.16.0.1');
    assert.equal(a['ovn.kubernetes.io/logical_switch'], 'ovn-default');
    assert.match(a['ovn.kubernetes.io/mac_address'] ?? '', /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    const ipObj = await until(() => env.client.get(RESOURCES.ips, 'p0.alloc'), 'IP object p0.alloc');
    assert.deepEqual(ipObj.metadata.labels, { 'ovn.kubernetes.io/subnet': 'ovn-default', 'ovn.kubernetes.io/node-name': 'node-7' });
    assert.deepEqual(ipObj.metadata.finalizers, ['kubeovn.io/kube-ovn-controller']);
    const spec = ipObj['spec'] as Record<string, unknown>;
    assert.equal(spec['ipAddress'], a['ovn.kubernetes.io/ip_address']);
    assert.equal(spec['v4IpAddress'], a['ovn.kubernetes.io/ip_address']);
    assert.equal(spec['macAddress'], a['ovn.kubernetes.io/mac_address']);
    assert.deepEqual([spec['podName'], spec['namespace'], spec['subnet'], spec['nodeName']], ['p0', 'alloc', 'ovn-default', 'node-7']);
    // As Kube-OVN: a successful allocation writes no Event (one per pod would double the writes).
    assert.deepEqual(await listEvents(env.client, 'alloc'), []);
    assert.ok((await telemetry.sum('ipam_allocations_total', { subnet_name: 'ovn-default', result: 'success' })) >= 20);
  });

  it('addresses unscheduled pods and moves the IP object node label when the pod is scheduled', async () => {
    const unscheduled = podObject('alloc', 'unscheduled');
    delete (unscheduled['spec'] as Record<string, unknown>)['nodeName'];
    await env.client.create(RESOURCES.pods, unscheduled);
    const before = annotations(await allocatedPod(env.client, 'alloc', 'unscheduled'))['ovn.kubernetes.io/ip_address'];
    await until(async () => (await env.client.get(RESOURCES.ips, 'unscheduled.alloc')).metadata.labels?.['ovn.kubernetes.io/node-name'] === '', 'IP object without node');
    await env.client.mergePatch(RESOURCES.pods, 'unscheduled', { spec: { nodeName: 'node-9' } }, { namespace: 'alloc' });
    const ipObj = await until(async () => {
      const ip = await env.client.get(RESOURCES.ips, 'unscheduled.alloc');
      return ip.metadata.labels?.['ovn.kubernetes.io/node-name'] === 'node-9' ? ip : undefined;
    }, 'IP object on node-9');
    assert.equal((ipObj['spec'] as Record<string, unknown>)['nodeName'], 'node-9');
    assert.equal(annotations(await env.client.get(RESOURCES.pods, 'unscheduled', { namespace: 'alloc' }))['ovn.kubernetes.io/ip_address'], before);
  });

  it('skips hostNetwork pods', async () => {
    await env.client.create(RESOURCES.pods, podObject('alloc', 'host', { hostNetwork: true }));
    await allocatedPod(env.client, 'alloc', 'p0');
    await env.client.create(RESOURCES.pods, podObject('alloc', 'after-host'));
    await allocatedPod(env.client, 'alloc', 'after-host');
    const host = await env.client.get(RESOURCES.pods, 'host', { namespace: 'alloc' });
    assert.equal(annotations(host)['ovn.kubernetes.io/allocated'], undefined);
  });

  it('allocates from a dual stack subnet bound to the namespace', async () => {
    await createNamespace(env.client, 'dual');
    await env.client.create(RESOURCES.subnets, subnetObject('dual', { cidrBlock: 'fd00:10::/120,10.77.0.0/24', namespaces: ['dual'] }));
    await managerReady(running, 'ready');
    await env.client.create(RESOURCES.pods, podObject('dual', 'd1'));
    const p = await allocatedPod(env.client, 'dual', 'd1');
    const a = annotations(p);
    assert.equal(a['ovn.kubernetes.io/logical_switch'], 'dual');
    assert.equal(a['ovn.kubernetes.io/ip_address'], '10.77.0.2,fd00:10::2');
    assert.equal(a['ovn.kubernetes.io/cidr'], '10.77.0.0/24,fd00:10::/120');
    assert.equal(a['ovn.kubernetes.io/gateway'], '10.77.0.1,fd00:10::1');
    const s = await env.client.get(RESOURCES.subnets, 'dual');
    assert.equal((s['spec'] as Record<string, unknown>)['protocol'], 'Dual');
    const status = await until(async () => {
      const st = (await env.client.get(RESOURCES.subnets, 'dual'))['status'] as Record<string, unknown> | undefined;
      return st?.['v4usingIPs'] === 1 && st['v6usingIPs'] === 1 ? st : undefined;
    }, 'dual status counts');
    assert.equal(status['v4availableIPs'], 252);
    assert.equal(status['v4usingIPrange'], '10.77.0.2');
    assert.equal(status['v6usingIPrange'], 'fd00:10::2');
    const ipObj = await until(() => env.client.get(RESOURCES.ips, 'd1.dual'), 'IP object d1.dual');
    assert.equal((ipObj['spec'] as Record<string, unknown>)['v6IpAddress'], 'fd00:10::2');
    const gauge = telemetry.statePoints('subnetUsedIps').filter((p) => p.attributes['subnet_name'] === 'dual');
    assert.deepEqual(gauge.map((p) => [p.attributes['protocol'], p.attributes['subnet_cidr'], p.value]).sort(), [['IPv4', '10.77.0.0/24', 1], ['IPv6', 'fd00:10::/120', 1]]);
  });
});
