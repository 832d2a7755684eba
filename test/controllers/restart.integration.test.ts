import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RESOURCES } from '../../src/kube/index.js';
import { allocatedPod, annotations, createNamespace, managerReady, runManager, startEnv, testConfig, until } from './support.js';
import { podObject } from '../support/objects.js';
import type { Env, RunningManager } from './support.js';

let env: Env;
const managers: RunningManager[] = [];

beforeEach(async () => {
  env = await startEnv();
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.stop()));
  await env.close();
});

function start(identity: string): RunningManager {
  const m = runManager(env, { config: testConfig({ workerNum: 4 }, identity) });
  managers.push(m);
  return m;
}

async function stop(m: RunningManager): Promise<'stopped' | 'lost-leadership'> {
  managers.splice(managers.indexOf(m), 1);
  return m.stop();
}

/** Every live allocated pod's address, asserting none is held twice. */
async function assertDistinct(namespace: string, expected: number): Promise<Map<string, string>> {
  const pods = (await env.client.list(RESOURCES.pods, { namespace })).items;
  const byIp = new Map<string, string>();
  for (const p of pods) {
    const ip = annotations(p)['ovn.kubernetes.io/ip_address'];
    if (annotations(p)['ovn.kubernetes.io/allocated'] !== 'true' || ip === undefined) continue;
    assert.equal(byIp.get(ip), undefined, `${ip} held by ${byIp.get(ip)} and ${p.metadata.name}`);
    byIp.set(ip, p.metadata.name ?? '');
  }
  assert.equal(byIp.size, expected);
  return byIp;
}

async function allAllocated(namespace: string, count: number): Promise<void> {
  await until(async () => {
    const pods = (await env.client.list(RESOURCES.pods, { namespace })).items;
    return pods.filter((p) => annotations(p)['ovn.kubernetes.io/allocated'] === 'true').length === count;
  }, `${count} pods allocated in ${namespace}`, 20_000);
}

describe('restart and leader change safety', () => {
  it('never re-addresses pods after a restart, and addresses pods created while no controller ran (Kube-OVN #1769)', async () => {
    await createNamespace(env.client, 'r');
    const a = start('replica-a');
    await managerReady(a);
    await Promise.all(Array.from({ length: 30 }, (_, i) => env.client.create(RESOURCES.pods, podObject('r', `p${i}`))));
    await allAllocated('r', 30);
    const before = await assertDistinct('r', 30);
    assert.equal(await stop(a), 'stopped');
    await Promise.all(Array.from({ length: 5 }, (_, i) => env.client.create(RESOURCES.pods, podObject('r', `late${i}`))));
    const b = start('replica-b');
    await managerReady(b);
    await allAllocated('r', 35);
    const afterRestart = await assertDistinct('r', 35);
    for (const [ip, name] of before) assert.equal(afterRestart.get(ip), name, `${name} kept ${ip}`);
    const late = await allocatedPod(env.client, 'r', 'late0');
    assert.ok(!before.has(annotations(late)['ovn.kubernetes.io/ip_address'] ?? ''));
  });

  it('a standby is Ready and idle; it takes over mid-burst without duplicates', async () => {
    await createNamespace(env.client, 'burst');
    const a = start('replica-a');
    await managerReady(a);
    const b = start('replica-b');
    await managerReady(b);
    const creating = Promise.all(Array.from({ length: 150 }, (_, i) => env.client.create(RESOURCES.pods, podObject('burst', `b${i}`))));
    await until(async () => (await env.client.list(RESOURCES.pods, { namespace: 'burst' })).items.some((p) => annotations(p)['ovn.kubernetes.io/allocated'] === 'true'), 'first allocation');
    assert.equal(await stop(a), 'stopped');
    await creating;
    await allAllocated('burst', 150);
    await assertDistinct('burst', 150);
  });

  it('never duplicates an address when the leader is killed with SIGKILL mid-burst', async () => {
    await createNamespace(env.client, 'killed');
    const script = fileURLToPath(new URL('./manager-process.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, env.api.url, 'doomed-replica'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`child exited early with ${String(code)}`)));
      });
      const creating = Promise.all(Array.from({ length: 150 }, (_, i) => env.client.create(RESOURCES.pods, podObject('killed', `k${i}`))));
      await until(async () => (await env.client.list(RESOURCES.pods, { namespace: 'killed' })).items.filter((p) => annotations(p)['ovn.kubernetes.io/allocated'] === 'true').length >= 20, 'some allocations', 20_000);
      child.kill('SIGKILL');
      await exited;
      await creating;
    } finally {
      child.kill('SIGKILL');
    }
    // The dead leader's lease (3 s in testConfig) must expire before the successor leads.
    start('successor');
    await allAllocated('killed', 150);
    await assertDistinct('killed', 150);
  });

  it('survives injected 500s on pod patches and dropped watches without duplicates', async () => {
    await createNamespace(env.client, 'faults');
    const a = start('replica-a');
    await managerReady(a);
    env.api.faults.failNext(40, { method: 'PATCH', pathPrefix: '/api/v1/namespaces/faults/pods' });
    const creating = Promise.all(Array.from({ length: 100 }, (_, i) => env.client.create(RESOURCES.pods, podObject('faults', `f${i}`))));
    const dropper = setInterval(() => env.api.faults.dropWatches(), 150);
    try {
      await creating;
      await allAllocated('faults', 100);
    } finally {
      clearInterval(dropper);
    }
    await assertDistinct('faults', 100);
    const ips = await until(async () => {
      const list = (await env.client.list(RESOURCES.ips)).items.filter((ip) => (ip['spec'] as { namespace?: string }).namespace === 'faults');
      return list.length === 100 ? list : undefined;
    }, '100 IP objects');
    assert.equal(new Set(ips.map((ip) => (ip['spec'] as { ipAddress: string }).ipAddress)).size, 100);
  });
});
