import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { createKubeClient, RESOURCES } from '../../../src/kube/client/index.js';
import { createLeaderElector, MICRO_TIME_PATTERN } from '../../../src/kube/leader/index.js';
import { kubeconfigYaml, startApiServer } from '../../support/apiserver/index.js';
import { silentLogger } from '../client/fakes.js';
import type { ApiServer } from '../../support/apiserver/index.js';
import type { KubeClient } from '../../../src/kube/client/index.js';
import type { LeaderElectionConfig } from '../../../src/config/types.js';

const RETRY_MS = 200;
let server: ApiServer;
let client: KubeClient;

before(async () => {
  server = await startApiServer();
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(server.url));
  client = createKubeClient({ kubeconfig: kc, logger: silentLogger() });
});
after(async () => {
  await server.close();
});

function setup(identity: string) {
  const config: LeaderElectionConfig = { enabled: true, leaseName: 'kube-ovn-controller', namespace: 'kube-system', identity, leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: RETRY_MS };
  const leaders: string[] = [];
  const stopped: string[] = [];
  let startedAt = 0;
  // random() = 0 removes client-go's acquire jitter, so a standby retries exactly every retry period.
  const elector = createLeaderElector({ client, config, logger: silentLogger(), random: () => 0, callbacks: { onStartedLeading: () => void (startedAt = Date.now()), onStoppedLeading: ({ reason }) => void stopped.push(reason), onNewLeader: (id) => void leaders.push(id) } });
  const abort = new AbortController();
  const running = elector.run(abort.signal);
  return { elector, leaders, stopped, startedAt: () => startedAt, stop: async () => { abort.abort(); await running; } };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

describe('leader election against the local API server', () => {
  it('elects one of two replicas, and hands over within a retry period after the leader releases', async () => {
    const a = setup('replica-a');
    assert.equal(await until(() => a.elector.isLeader(), 2000), true, 'replica-a leads');
    const b = setup('replica-b');
    try {
      await new Promise((resolve) => setTimeout(resolve, 4 * RETRY_MS));
      assert.equal(b.elector.isLeader(), false, 'only one leader');
      assert.equal(b.elector.leader(), 'replica-a');
      const lease = await client.get(RESOURCES.leases, 'kube-ovn-controller', { namespace: 'kube-system' });
      const spec = lease['spec'] as Record<string, unknown>;
      assert.equal(spec['holderIdentity'], 'replica-a');
      assert.match(String(spec['renewTime']), MICRO_TIME_PATTERN);
      assert.match(String(spec['acquireTime']), MICRO_TIME_PATTERN);

      const stoppedAt = Date.now();
      await a.stop();
      assert.deepEqual(a.stopped, ['shutdown']);
      assert.equal(await until(() => b.elector.isLeader(), 3000), true, 'replica-b took over');
      const handover = b.startedAt() - stoppedAt;
      assert.ok(handover <= RETRY_MS + 300, `handover took ${handover} ms (retry period ${RETRY_MS} ms)`);
      const after = (await client.get(RESOURCES.leases, 'kube-ovn-controller', { namespace: 'kube-system' }))['spec'] as Record<string, unknown>;
      assert.equal(after['holderIdentity'], 'replica-b');
      assert.equal(after['leaseTransitions'], 1);
      assert.deepEqual(b.leaders, ['replica-a', 'replica-b']);
    } finally {
      await b.stop();
    }
  });

  it('keeps leading through an API outage shorter than the renew deadline', async () => {
    const a = setup('replica-c');
    try {
      assert.equal(await until(() => a.elector.isLeader(), 3000), true);
      await server.faults.refuseConnections(600);
      await new Promise((resolve) => setTimeout(resolve, 3 * RETRY_MS));
      assert.equal(a.elector.isLeader(), true);
      assert.deepEqual(a.stopped, []);
      assert.deepEqual(a.elector.check.run(), { ok: true });
    } finally {
      await a.stop();
    }
  });
});
