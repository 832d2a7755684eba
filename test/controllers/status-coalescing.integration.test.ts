/**
 * Subnet status writes during a burst: few PATCHes (about one per second per subnet, counted
 * on the API server double), exact final usage, and spec verdicts written without that delay.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../../src/kube/index.js';
import { allocatedPod, createNamespace, defaultSubnetReady, runManager, startEnv, testConfig, until } from './support.js';
import { podObject, subnetObject } from '../support/objects.js';
import type { Env, RunningManager } from './support.js';

let env: Env;
let running: RunningManager;

before(async () => {
  env = await startEnv();
  running = runManager(env, { config: testConfig({ workerNum: 4 }) });
  await defaultSubnetReady(env, running);
});
after(async () => {
  assert.equal(await running.stop(), 'stopped');
  await env.close();
});

const status = async (name: string): Promise<Record<string, unknown>> => ((await env.client.get(RESOURCES.subnets, name))['status'] ?? {}) as Record<string, unknown>;

describe('subnet status writes', () => {
  it('a burst of allocations writes about one status per second and ends on the exact usage', async (t) => {
    await createNamespace(env.client, 'burst');
    await env.client.create(RESOURCES.subnets, subnetObject('burst', { cidrBlock: '10.70.0.0/16', namespaces: ['burst'] }));
    await until(async () => (await status('burst'))['v4usingIPs'] === 0, 'burst subnet status');
    const patches = env.api.countRequests('PATCH', /^\/apis\/kubeovn\.io\/v1\/subnets\/burst\/status$/);
    const count = 400;
    const started = Date.now();
    const names = Array.from({ length: count }, (_, i) => `p${i}`);
    for (let i = 0; i < count; i += 50) await Promise.all(names.slice(i, i + 50).map((n) => env.client.create(RESOURCES.pods, podObject('burst', n))));
    await Promise.all(names.map((n) => allocatedPod(env.client, 'burst', n, 60_000)));
    const final = await until(async () => {
      const st = await status('burst');
      return st['v4usingIPs'] === count ? st : undefined;
    }, 'status counts every pod', 10_000);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(final['v4availableIPs'], 65533 - count);
    assert.equal(final['v4usingIPrange'], `10.70.0.2-10.70.${Math.floor((count + 1) / 256)}.${(count + 1) % 256}`);
    // One write per second of burst, the first one and the trailing one; an echo-driven or
    // per-100-ms refresh wrote a third of a PATCH per pod (over 100 here).
    const bound = Math.ceil(seconds) + 3;
    assert.ok(patches() <= bound, `${patches()} status PATCHes for ${count} allocations in ${seconds.toFixed(1)} s (bound ${bound})`);
    assert.ok(patches() >= 1);
    t.diagnostic(`${patches()} status PATCHes for ${count} allocations in ${seconds.toFixed(1)} s`);
  });

  it('a spec change is judged at once, not after the usage interval', async () => {
    await env.client.mergePatch(RESOURCES.subnets, 'burst', { spec: { gateway: '10.99.0.1' } });
    const st = await until(async () => {
      const s = await status('burst');
      const conditions = (s['conditions'] ?? []) as Array<{ type: string; status: string; reason: string }>;
      return conditions.some((c) => c.type === 'Validated' && c.status === 'False') ? s : undefined;
    }, 'Validated=False for a gateway outside the CIDR');
    // A refused change keeps serving the old spec with its addresses.
    assert.equal(st['v4usingIPs'], 400);
  });
});
