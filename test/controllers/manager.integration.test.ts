import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { createControllerManager } from '../../src/controllers/index.js';
import { createKubeClient, RESOURCES } from '../../src/kube/index.js';
import { createLogger } from '../../src/log/index.js';
import { kubeconfigYaml } from '../support/apiserver/index.js';
import { allocatedPod, annotations, createNamespace, runManager, startEnv, testConfig, until } from './support.js';
import { podObject } from '../support/objects.js';
import type { Check } from '../../src/check/index.js';

async function results(checks: readonly Check[]): Promise<Record<string, boolean>> {
  const out: Record<string, boolean> = {};
  for (const c of checks) out[c.name] = (await c.run()).ok;
  return out;
}

describe('controller manager lifecycle', () => {
  it('exposes the liveness and readiness checks by name', async () => {
    const env = await startEnv();
    const m = runManager(env);
    try {
      assert.deepEqual(m.manager.livenessChecks.map((c) => c.name), ['leader-election', 'reconcile-progress']);
      assert.deepEqual(m.manager.readinessChecks.map((c) => c.name), ['informer-sync', 'ipam-init']);
      await until(async () => Object.values(await results(m.manager.readinessChecks)).every(Boolean), 'ready');
      assert.deepEqual(await results(m.manager.livenessChecks), { 'leader-election': true, 'reconcile-progress': true });
    } finally {
      assert.equal(await m.stop(), 'stopped');
      await env.close();
    }
  });

  it('calls onReady once, when the readiness checks have just come to pass (health publishes then)', async () => {
    const env = await startEnv();
    const seen: Array<Record<string, boolean>> = [];
    const manager = createControllerManager({
      config: testConfig(),
      client: env.newClient(),
      logger: createLogger({ level: 'silent' }),
      onReady: () => void results(manager.readinessChecks).then((r) => seen.push(r)),
    });
    const abort = new AbortController();
    const run = manager.run(abort.signal);
    try {
      await until(() => seen.length > 0, 'onReady called');
      assert.deepEqual(seen, [{ 'informer-sync': true, 'ipam-init': true }]);
    } finally {
      abort.abort();
      assert.equal(await run, 'stopped');
      await env.close();
    }
    assert.equal(seen.length, 1);
  });

  it('starts the term\'s work only once onReady settled, and goes on when it rejects', async () => {
    for (const outcome of ['resolve', 'reject'] as const) {
      const env = await startEnv();
      let held = 0;
      let subnetDuringHold: number | undefined;
      const manager = createControllerManager({
        config: testConfig(),
        client: env.newClient(),
        logger: createLogger({ level: 'silent' }),
        onReady: async () => {
          held += 1;
          await new Promise((r) => setTimeout(r, 400));
          // The default subnet is the term's first write (ensureDefaultSubnet, after the workers start).
          subnetDuringHold = await env.client.get(RESOURCES.subnets, 'ovn-default').then(() => 200, (err: { code?: number }) => err.code);
          if (outcome === 'reject') throw new Error('publish failed');
        },
      });
      const abort = new AbortController();
      const run = manager.run(abort.signal);
      try {
        await until(async () => (await env.client.get(RESOURCES.subnets, 'ovn-default').then(() => true, () => false)), `default subnet after onReady ${outcome}s`, 10_000);
        assert.equal(held, 1);
        assert.equal(subnetDuringHold, 404, `no term work while onReady (${outcome}) is pending`);
      } finally {
        abort.abort();
        assert.equal(await run, 'stopped');
        await env.close();
      }
    }
  });

  it('keeps retrying, live and not Ready, while the API server is unreachable', async () => {
    const kc = new KubeConfig();
    // Port 9 (discard) on loopback: nothing listens in the test environment.
    kc.loadFromString(kubeconfigYaml('http://127.0.0.1:9'));
    const client = createKubeClient({ kubeconfig: kc, logger: createLogger({ level: 'silent' }), retry: { maxRetries: 0 } });
    const manager = createControllerManager({ config: testConfig(), client, logger: createLogger({ level: 'silent' }) });
    const abort = new AbortController();
    let settled = false;
    const result = manager.run(abort.signal).then((r) => ((settled = true), r));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(settled, false, 'run keeps going');
    assert.equal((await results(manager.readinessChecks))['informer-sync'], false);
    assert.deepEqual(await results(manager.livenessChecks), { 'leader-election': true, 'reconcile-progress': true });
    abort.abort();
    assert.equal(await result, 'stopped');
  });

  it('resolves lost-leadership when the lease cannot be renewed, and a successor keeps every address', async () => {
    const env = await startEnv();
    try {
      await createNamespace(env.client, 'lost');
      const a = runManager(env, { config: testConfig({}, 'replica-a') });
      await until(async () => Object.values(await results(a.manager.readinessChecks)).every(Boolean), 'ready');
      await env.client.create(RESOURCES.pods, podObject('lost', 'keep'));
      const before = annotations(await allocatedPod(env.client, 'lost', 'keep'))['ovn.kubernetes.io/ip_address'];
      env.api.faults.failNext(10_000, { pathPrefix: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases' });
      const outcome = await Promise.race([a.result, new Promise((r) => setTimeout(() => r('timeout'), 8000))]);
      assert.equal(outcome, 'lost-leadership');
      env.api.faults.reset();
      const b = runManager(env, { config: testConfig({}, 'replica-b') });
      try {
        await env.client.create(RESOURCES.pods, podObject('lost', 'next'));
        const next = annotations(await allocatedPod(env.client, 'lost', 'next', 15_000))['ovn.kubernetes.io/ip_address'];
        assert.notEqual(next, before);
        assert.equal(annotations(await env.client.get(RESOURCES.pods, 'keep', { namespace: 'lost' }))['ovn.kubernetes.io/ip_address'], before);
      } finally {
        await b.stop();
      }
    } finally {
      await env.close();
    }
  });
});
