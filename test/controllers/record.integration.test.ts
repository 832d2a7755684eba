// DESIGN §7a (issue 10): the IP object is the record of an allocation. In-process manager against
// the local API server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../../src/kube/index.js';
import type { KubeObject } from '../../src/kube/index.js';
import { allocatedPod, annotations, createNamespace, defaultSubnetReady, listEvents, runManager, startEnv, testConfig, until } from './support.js';
import { podObject as pod, subnetObject as subnet } from '../support/objects.js';
import { createMetricsHarness } from '../support/metrics.js';
import type { Env, RunningManager } from './support.js';

let env: Env;
let running: RunningManager;
const telemetry = createMetricsHarness();

before(async () => {
  env = await startEnv();
  running = runManager(env, { config: testConfig({ workerNum: 2 }), instruments: telemetry.instruments, addStateGauge: telemetry.addStateGauge });
  await defaultSubnetReady(env, running);
  await createNamespace(env.client, 'rec');
});
after(async () => {
  assert.equal(await running.stop(), 'stopped');
  await env.close();
});

const ann = (p: KubeObject, k: string): string | undefined => annotations(p)[`ovn.kubernetes.io/${k}`];
const ipSpec = async (name: string): Promise<Record<string, unknown>> => (await env.client.get(RESOURCES.ips, name))['spec'] as Record<string, unknown>;

describe('the IP object is the record of an allocation', () => {
  it('writes the IP object before the pod patch: no allocated annotation while the IP object cannot be written', async () => {
    env.api.faults.failNext(6, { status: 500, method: 'POST', pathPrefix: '/apis/kubeovn.io/v1/ips' });
    await env.client.create(RESOURCES.pods, pod('rec', 'ordered'));
    await new Promise((r) => setTimeout(r, 300));
    const early = await env.client.get(RESOURCES.pods, 'ordered', { namespace: 'rec' });
    const ipNow = await env.client.get(RESOURCES.ips, 'ordered.rec').catch(() => undefined);
    assert.ok(ann(early, 'allocated') !== 'true' || ipNow !== undefined, 'allocated:"true" only with an IP object behind it');
    const p = await allocatedPod(env.client, 'rec', 'ordered', 20_000);
    assert.equal((await ipSpec('ordered.rec'))['ipAddress'], ann(p, 'ip_address'));
  });

  it('writes an edited mac_address, cidr and gateway back with a Warning AddressAnnotationChanged, keeping the address', async () => {
    await env.client.create(RESOURCES.pods, pod('rec', 'edited'));
    const p = await allocatedPod(env.client, 'rec', 'edited');
    const held = { ip: ann(p, 'ip_address'), mac: ann(p, 'mac_address'), cidr: ann(p, 'cidr'), gateway: ann(p, 'gateway') };
    await env.client.mergePatch(RESOURCES.pods, 'edited', { metadata: { annotations: { 'ovn.kubernetes.io/mac_address': '0a:00:00:00:00:01', 'ovn.kubernetes.io/cidr': '1.2.3.0/24', 'ovn.kubernetes.io/gateway': '1.2.3.1' } } }, { namespace: 'rec' });
    await until(async () => {
      const now = await env.client.get(RESOURCES.pods, 'edited', { namespace: 'rec' });
      return ann(now, 'mac_address') === held.mac && ann(now, 'cidr') === held.cidr && ann(now, 'gateway') === held.gateway;
    }, 'annotations written back');
    const warning = await until(async () => (await listEvents(env.client, 'rec', 'AddressAnnotationChanged'))[0], 'Warning Event');
    assert.equal(warning['type'], 'Warning');
    assert.match(String(warning['message']), new RegExp(`written back to ${String(held.ip).replace(/\./g, '\\.')}`));
    assert.equal((await ipSpec('edited.rec'))['macAddress'], held.mac);
  });

  it('never moves an allocated pod when its namespace is bound to another subnet', async () => {
    await env.client.create(RESOURCES.pods, pod('rec', 'stays'));
    const before = ann(await allocatedPod(env.client, 'rec', 'stays'), 'ip_address');
    await env.client.create(RESOURCES.subnets, subnet('rec-net', { cidrBlock: '10.81.0.0/24', namespaces: ['rec'] }));
    await env.client.create(RESOURCES.pods, pod('rec', 'newcomer'));
    assert.match(String(ann(await allocatedPod(env.client, 'rec', 'newcomer'), 'ip_address')), /^10\.81\.0\./, 'new pods use the new binding');
    await env.client.mergePatch(RESOURCES.pods, 'stays', { metadata: { labels: { touched: 'yes' } } }, { namespace: 'rec' });
    await new Promise((r) => setTimeout(r, 300));
    const after = await env.client.get(RESOURCES.pods, 'stays', { namespace: 'rec' });
    assert.deepEqual([ann(after, 'ip_address'), ann(after, 'logical_switch')], [before, 'ovn-default']);
  });

  it('recreates a deleted IP object of a live pod with the held address', async () => {
    await env.client.create(RESOURCES.pods, pod('rec', 'recorded'));
    const ip = ann(await allocatedPod(env.client, 'rec', 'recorded'), 'ip_address');
    const obj = await until(() => env.client.get(RESOURCES.ips, 'recorded.rec'), 'IP object');
    await env.client.mergePatch(RESOURCES.ips, 'recorded.rec', { metadata: { finalizers: null, resourceVersion: obj.metadata.resourceVersion } });
    await env.client.delete(RESOURCES.ips, 'recorded.rec').catch(() => undefined);
    await until(async () => (await ipSpec('recorded.rec'))['ipAddress'] === ip, 'IP object recreated');
  });

  it('gives a pod whose IP object name would pass 253 characters an Event naming the limit, and no retry loop', async () => {
    // A 200-character pod in a 60-character namespace: the pod (and its Events) are valid, `<pod>.<namespace>` is 261.
    const ns = `long-${'n'.repeat(55)}`;
    await createNamespace(env.client, ns);
    const name = `x${'a'.repeat(199)}`;
    await env.client.create(RESOURCES.pods, pod(ns, name));
    const event = await until(async () => (await listEvents(env.client, ns, 'ObjectLimitExceeded')).find((e) => String(e['message']).includes('the limit is 253')), 'ObjectLimitExceeded');
    assert.match(String(event['message']), /the pod gets no address/);
    const errors = await telemetry.sum('controller_runtime_reconcile_total', { controller: 'pod', result: 'error' });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await telemetry.sum('controller_runtime_reconcile_total', { controller: 'pod', result: 'error' }), errors, 'not retried as an error');
    assert.equal(ann(await env.client.get(RESOURCES.pods, name, { namespace: ns }), 'allocated'), undefined);
  });

  it('leaves a node name past 63 characters out of the IP object labels with an Event, and still allocates', async () => {
    const node = `n${'o'.repeat(70)}`;
    await env.client.create(RESOURCES.pods, pod('rec', 'longnode', { nodeName: node }));
    await allocatedPod(env.client, 'rec', 'longnode');
    const ip = await env.client.get(RESOURCES.ips, 'longnode.rec');
    assert.equal(ip.metadata.labels?.['ovn.kubernetes.io/node-name'], undefined);
    assert.equal((ip['spec'] as Record<string, unknown>)['nodeName'], node);
    await until(async () => (await listEvents(env.client, 'rec', 'ObjectLimitExceeded')).some((e) => String(e['message']).includes('node-name left out')), 'label Event');
  });
});
