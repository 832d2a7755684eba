import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isNotFound, RESOURCES } from '../../src/kube/index.js';
import { allocatedPod, defaultSubnetReady, annotations, createNamespace, listEvents, runManager, startEnv, testConfig, until } from './support.js';
import { podObject, subnetObject } from '../support/objects.js';
import { createMetricsHarness } from '../support/metrics.js';
import type { Env, RunningManager } from './support.js';
import type { KubeObject } from '../../src/kube/index.js';

let env: Env;
let running: RunningManager;
const telemetry = createMetricsHarness();

before(async () => {
  env = await startEnv();
  running = runManager(env, { config: testConfig(), instruments: telemetry.instruments, addStateGauge: telemetry.addStateGauge });
  await defaultSubnetReady(env, running);
});
after(async () => {
  await running.stop();
  await env.close();
});

type Cond = { type: string; status: string; reason: string; message: string; observedGeneration: number };

async function conditionOf(name: string, type: string): Promise<Cond | undefined> {
  const s = await env.client.get(RESOURCES.subnets, name);
  return ((s['status'] as { conditions?: Cond[] } | undefined)?.conditions ?? []).find((c) => c.type === type);
}

async function gone(resource: typeof RESOURCES.ips, name: string): Promise<boolean> {
  try {
    await env.client.get(resource, name);
    return false;
  } catch (err) {
    return isNotFound(err);
  }
}

describe('subnet validation, exhaustion and release', () => {
  it('marks invalid subnets with the right conditions and events', async () => {
    const cases = [
      { name: 'bad-cidr', spec: { cidrBlock: '10.300.0.0/16' }, reason: 'CIDRInvalid' },
      { name: 'bad-gw', spec: { cidrBlock: '10.81.0.0/24', gateway: '10.82.0.1' }, reason: 'GatewayInvalid' },
      { name: 'bad-exclude', spec: { cidrBlock: '10.83.0.0/24', excludeIps: ['10.83.0.9..10.83.0.3'] }, reason: 'ExcludeIpsInvalid' },
      { name: 'overlap', spec: { cidrBlock: '10.16.5.0/24' }, reason: 'CIDROverlap' },
    ];
    for (const c of cases) await env.client.create(RESOURCES.subnets, subnetObject(c.name, c.spec));
    for (const c of cases) {
      const validated = await until(() => conditionOf(c.name, 'Validated'), `${c.name} Validated condition`);
      assert.equal(validated.status, 'False', c.name);
      assert.equal(validated.reason, c.reason, c.name);
      assert.ok(validated.message.length > 0);
      const generation = (await env.client.get(RESOURCES.subnets, c.name)).metadata.generation;
      assert.equal(validated.observedGeneration, generation);
      assert.equal((await conditionOf(c.name, 'Error'))?.status, 'True');
      assert.equal((await conditionOf(c.name, 'Ready'))?.status, 'False');
      await until(async () => (await listEvents(env.client, 'default', c.reason)).some((e) => (e['involvedObject'] as { name: string }).name === c.name), `${c.reason} event for ${c.name}`);
    }
  });

  it('reports NoAvailableAddress when a subnet is full and resumes when a pod is deleted', async () => {
    await createNamespace(env.client, 'tiny');
    await env.client.create(RESOURCES.subnets, subnetObject('tiny', { cidrBlock: '10.90.0.0/29', namespaces: ['tiny'] }));
    // /29: .1 gateway, .2-.6 usable: five pods fit.
    for (let i = 0; i < 5; i++) await env.client.create(RESOURCES.pods, podObject('tiny', `t${i}`));
    for (let i = 0; i < 5; i++) await allocatedPod(env.client, 'tiny', `t${i}`);
    await env.client.create(RESOURCES.pods, podObject('tiny', 'waiting'));
    const failed = await until(async () => (await listEvents(env.client, 'tiny', 'AcquireAddressFailed')).find((e) => (e['involvedObject'] as { name: string }).name === 'waiting'), 'AcquireAddressFailed event');
    assert.match(String(failed['message']), /^NoAvailableAddress: /);
    assert.equal(failed['type'], 'Warning');
    const status = await until(async () => {
      const st = (await env.client.get(RESOURCES.subnets, 'tiny'))['status'] as Record<string, unknown> | undefined;
      return st?.['v4usingIPs'] === 5 ? st : undefined;
    }, 'tiny status');
    assert.equal(status['v4availableIPs'], 0);
    assert.equal(status['v4usingIPrange'], '10.90.0.2-10.90.0.6');
    const freed = annotations(await env.client.get(RESOURCES.pods, 't2', { namespace: 'tiny' }))['ovn.kubernetes.io/ip_address'];
    await env.client.delete(RESOURCES.pods, 't2', { namespace: 'tiny' });
    const p = await allocatedPod(env.client, 'tiny', 'waiting');
    assert.equal(annotations(p)['ovn.kubernetes.io/ip_address'], freed);
    await until(() => gone(RESOURCES.ips, 't2.tiny'), 'IP object of the deleted pod collected');
    assert.ok((await telemetry.sum('ipam_releases_total', { subnet_name: 'tiny' })) >= 1);
    assert.ok((await telemetry.sum('ipam_allocations_total', { subnet_name: 'tiny', result: 'error' })) >= 1);
  });

  it('releases finished pods, with no Event (as Kube-OVN)', async () => {
    await createNamespace(env.client, 'jobs');
    await env.client.create(RESOURCES.pods, podObject('jobs', 'job', { restartPolicy: 'Never' }));
    await allocatedPod(env.client, 'jobs', 'job');
    await until(() => env.client.get(RESOURCES.ips, 'job.jobs'), 'IP object');
    await env.client.mergePatch(RESOURCES.pods, 'job', { status: { phase: 'Succeeded' } }, { namespace: 'jobs', subresource: 'status' });
    await until(() => gone(RESOURCES.ips, 'job.jobs'), 'IP object released');
    assert.deepEqual(await listEvents(env.client, 'jobs'), []);
  });

  it('honours static IP and MAC, and refuses a taken address with AddressConflict', async () => {
    await createNamespace(env.client, 'static');
    await env.client.create(RESOURCES.pods, podObject('static', 's1', { annotations: { 'ovn.kubernetes.io/ip_address': '10.16.200.7', 'ovn.kubernetes.io/mac_address': '0a:58:0a:10:c8:07' } }));
    const p = await allocatedPod(env.client, 'static', 's1');
    assert.equal(annotations(p)['ovn.kubernetes.io/ip_address'], '10.16.200.7');
    assert.equal(annotations(p)['ovn.kubernetes.io/mac_address'], '0a:58:0a:10:c8:07');
    await env.client.create(RESOURCES.pods, podObject('static', 's2', { annotations: { 'ovn.kubernetes.io/ip_address': '10.16.200.7' } }));
    const event = await until(async () => (await listEvents(env.client, 'static', 'AcquireAddressFailed'))[0], 'conflict event');
    assert.match(String(event['message']), /^AddressConflict: /);
    const s2 = await env.client.get(RESOURCES.pods, 's2', { namespace: 'static' });
    assert.equal(annotations(s2)['ovn.kubernetes.io/allocated'], undefined);
    await env.client.delete(RESOURCES.pods, 's1', { namespace: 'static' });
    assert.equal(annotations(await allocatedPod(env.client, 'static', 's2'))['ovn.kubernetes.io/ip_address'], '10.16.200.7');
  });

  it('waits for a requested subnet that does not exist yet, and refuses out-of-range static IPs', async () => {
    await createNamespace(env.client, 'later');
    await env.client.create(RESOURCES.pods, podObject('later', 'w1', { annotations: { 'ovn.kubernetes.io/logical_switch': 'later' } }));
    await env.client.create(RESOURCES.pods, podObject('later', 'oor', { annotations: { 'ovn.kubernetes.io/ip_address': '192.168.1.1' } }));
    const missing = await until(async () => (await listEvents(env.client, 'later', 'AcquireAddressFailed')).find((e) => (e['involvedObject'] as { name: string }).name === 'w1'), 'SubnetNotFound event');
    assert.match(String(missing['message']), /^SubnetNotFound: /);
    const outOfRange = await until(async () => (await listEvents(env.client, 'later', 'AcquireAddressFailed')).find((e) => (e['involvedObject'] as { name: string }).name === 'oor'), 'AddressOutOfRange event');
    assert.match(String(outOfRange['message']), /^AddressOutOfRange: /);
    await env.client.create(RESOURCES.subnets, subnetObject('later', { cidrBlock: '10.94.0.0/24' }));
    assert.equal(annotations(await allocatedPod(env.client, 'later', 'w1'))['ovn.kubernetes.io/ip_address'], '10.94.0.2');
  });

  it('keeps a subnet with addresses in use until they are released, then lets it go', async () => {
    await createNamespace(env.client, 'doomed');
    await env.client.create(RESOURCES.subnets, subnetObject('doomed', { cidrBlock: '10.91.0.0/24', namespaces: ['doomed'] }));
    await env.client.create(RESOURCES.pods, podObject('doomed', 'holder'));
    await allocatedPod(env.client, 'doomed', 'holder');
    await env.client.delete(RESOURCES.subnets, 'doomed');
    const ready = await until(async () => {
      const c = await conditionOf('doomed', 'Ready');
      return c?.reason === 'SubnetInUse' ? c : undefined;
    }, 'SubnetInUse condition');
    assert.equal(ready.status, 'False');
    await env.client.delete(RESOURCES.pods, 'holder', { namespace: 'doomed' });
    await until(() => gone(RESOURCES.subnets, 'doomed'), 'subnet deleted once free');
    await until(() => !telemetry.statePoints('subnetAvailableIps').some((p) => p.attributes['subnet_name'] === 'doomed'), 'gauge series gone');
  });

  it('refuses a CIDR change while addresses are in use and never re-addresses pods', async () => {
    await createNamespace(env.client, 'moving');
    await env.client.create(RESOURCES.subnets, subnetObject('moving', { cidrBlock: '10.92.0.0/24', namespaces: ['moving'] }));
    await env.client.create(RESOURCES.pods, podObject('moving', 'm1'));
    const before = annotations(await allocatedPod(env.client, 'moving', 'm1'))['ovn.kubernetes.io/ip_address'];
    await env.client.mergePatch(RESOURCES.subnets, 'moving', { spec: { cidrBlock: '10.93.0.0/24', gateway: null, excludeIps: null } });
    const validated = await until(async () => {
      const c = await conditionOf('moving', 'Validated');
      return c?.reason === 'CIDRChangeRefused' ? c : undefined;
    }, 'CIDRChangeRefused');
    assert.equal(validated.status, 'False');
    await env.client.create(RESOURCES.pods, podObject('moving', 'm2'));
    const m2 = await allocatedPod(env.client, 'moving', 'm2');
    assert.match(annotations(m2)['ovn.kubernetes.io/ip_address'] ?? '', /^10\.92\.0\./);
    const m1 = await env.client.get(RESOURCES.pods, 'm1', { namespace: 'moving' });
    assert.equal(annotations(m1)['ovn.kubernetes.io/ip_address'], before);
  });

  it('status counts equal the pods holding addresses', async () => {
    const pods = (await env.client.list(RESOURCES.pods)).items.filter((p: KubeObject) => annotations(p)['ovn.kubernetes.io/logical_switch'] === 'ovn-default' && annotations(p)['ovn.kubernetes.io/allocated'] === 'true' && (p['status'] as { phase?: string } | undefined)?.phase !== 'Succeeded');
    assert.ok(pods.length > 0);
    await until(async () => {
      const st = (await env.client.get(RESOURCES.subnets, 'ovn-default'))['status'] as Record<string, unknown>;
      return st['v4usingIPs'] === pods.length;
    }, `ovn-default v4usingIPs = ${pods.length}`);
  });
});
