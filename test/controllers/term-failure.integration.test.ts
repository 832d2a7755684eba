// Issue 10 (leader safety): a leader whose rebuild cannot finish fails liveness; a term that fails
// while the Lease is held is released and reported, so main exits 1.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createControllerManager } from '../../src/controllers/index.js';
import { RECONCILERS } from '../../src/controllers/registry.js';
import type { ReconcilerSpec } from '../../src/controllers/spec.js';
import { createLogger } from '../../src/log/index.js';
import { RESOURCES } from '../../src/kube/index.js';
import { startEnv, testConfig, until } from './support.js';

const LEASE = 'kube-ovn-controller';

describe('leader term failures', () => {
  it('fails reconcile-progress when the IPAM rebuild cannot finish within the bound (list ips keeps failing; Kube-OVN #7497)', async () => {
    const env = await startEnv();
    env.api.faults.failNext(100_000, { method: 'GET', pathPrefix: '/apis/kubeovn.io/v1/ips' });
    const manager = createControllerManager({ config: testConfig({ reconcileStallMs: 1500 }), client: env.newClient(), logger: createLogger({ level: 'silent' }) });
    const abort = new AbortController();
    const result = manager.run(abort.signal);
    try {
      const progress = manager.livenessChecks.find((c) => c.name === 'reconcile-progress')!;
      await until(async () => (await env.client.get(RESOURCES.leases, LEASE, { namespace: 'kube-system' }))['spec'] !== undefined, 'leading');
      assert.equal((await progress.run()).ok, true, 'within the bound');
      const failed = await until(async () => {
        const r = await progress.run();
        return r.ok ? undefined : r;
      }, 'reconcile-progress failing', 10_000);
      assert.match(failed.reason, /ipam-rebuild/);
    } finally {
      env.api.faults.reset();
      abort.abort();
      await result;
      await env.close();
    }
  });

  it('releases the Lease and resolves lost-leadership (exit 1) when the leadership session fails', async () => {
    const env = await startEnv();
    const broken: ReconcilerSpec = { ...RECONCILERS[0]!, name: 'broken', reconciler: () => { throw new Error('reconciler construction failed'); } };
    const manager = createControllerManager({ config: testConfig(), client: env.newClient(), logger: createLogger({ level: 'silent' }), reconcilers: [broken] });
    try {
      const outcome = await Promise.race([manager.run(new AbortController().signal), new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
      assert.equal(outcome, 'lost-leadership');
      const lease = await env.client.get(RESOURCES.leases, LEASE, { namespace: 'kube-system' });
      assert.equal((lease['spec'] as Record<string, unknown>)['holderIdentity'], '', 'released for a standby');
      assert.equal((await manager.livenessChecks[0]!.run()).ok, false, 'leader-election fails for good');
    } finally {
      await env.close();
    }
  });
});
